namespace IlgpuLstm;

/// <summary>
/// A bad option value (out of range, unknown name): its message names the option by its property
/// name (<c>BatchSize must be at least 1</c>) and says what is valid. The CLI names its flag instead
/// and exits with the usage code (2), as for a flag it cannot parse.
/// </summary>
public sealed class UsageException(string message) : EngineException(message);
