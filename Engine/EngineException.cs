namespace IlgpuLstm.Engine;

/// <summary>
/// A problem the user can fix (bad input, file, flag, shape or device limit). The message is one
/// line that names what is wrong; the CLI prints it as <c>error: ...</c> and exits non-zero.
/// </summary>
public class EngineException : Exception
{
    public EngineException(string message) : base(message) { }

    public EngineException(string message, Exception inner) : base(message, inner) { }
}
