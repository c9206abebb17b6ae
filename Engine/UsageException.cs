namespace IlgpuLstm.Engine;

/// <summary>
/// A bad command-line value (out of range, unknown name): its message names the flag and what is
/// valid. The CLI exits with the usage code (2) for it, as for a flag it cannot parse.
/// </summary>
public sealed class UsageException(string message) : EngineException(message);
