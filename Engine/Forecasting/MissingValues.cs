namespace IlgpuLstm;

/// <summary>What to do with an empty (or NA, NaN, null) cell of a series.</summary>
public enum MissingValues
{
    /// <summary>Refuse the file, naming the first missing cell.</summary>
    Refuse,

    /// <summary>Carry the previous value forward (a leading gap takes the first value given).</summary>
    Previous,

    /// <summary>Interpolate linearly between the values around the gap (ends take the nearest value).</summary>
    Linear,
}
