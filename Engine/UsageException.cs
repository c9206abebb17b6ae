namespace IlgpuLstm;

/// <summary>
/// A request that cannot be carried out as asked although each value is in range: options that
/// conflict, or data too short for them (<c>the training split has 3 forecast origins, fewer than one
/// batch</c>). A value out of its range is <see cref="OptionOutOfRangeException"/>. The CLI names
/// its flags instead of the properties and exits with the usage code (2), as for a flag it cannot parse.
/// </summary>
public sealed class UsageException(string message) : EngineException(message);
