namespace IlgpuLstm;

/// <summary>
/// An option's value is out of its range. It is the framework's <see cref="ArgumentOutOfRangeException"/>,
/// so code that catches that sees it; <see cref="ArgumentException.ParamName"/> is the option's
/// property name and the message is one line that names it and says what is valid
/// (<c>BatchSize must be at least 1, got 0</c>). The CLI prints it under the flag's name and exits
/// with the usage code (2).
/// </summary>
public sealed class OptionOutOfRangeException : ArgumentOutOfRangeException
{
    private readonly string line;

    /// <summary>Option <paramref name="option"/> is out of range, as <paramref name="message"/> says.</summary>
    public OptionOutOfRangeException(string option, string message) : base(option, message) => line = message;

    /// <summary>The one-line message alone (the framework's adds the parameter's name on a line of its own).</summary>
    public override string Message => line;
}
