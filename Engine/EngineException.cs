namespace IlgpuLstm;

/// <summary>
/// A problem the user can fix (bad input, file, flag, shape or device limit). The message is one
/// line that names what is wrong; the CLI prints it as <c>error: ...</c> and exits non-zero.
/// </summary>
public class EngineException : Exception
{
    /// <summary>A problem described in one line.</summary>
    public EngineException(string message) : base(message) { }

    /// <summary>A problem described in one line, caused by <paramref name="inner"/>.</summary>
    public EngineException(string message, Exception inner) : base(message, inner) { }
}
