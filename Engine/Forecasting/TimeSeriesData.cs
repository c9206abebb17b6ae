using IlgpuLstm.Engine.Forecasting;

namespace IlgpuLstm;

/// <summary>
/// A regularly spaced series to forecast: one target column, optional input columns known up to
/// the forecast origin, and, for plots and output, the time of each row. From a CSV file
/// (<see cref="ReadCsv"/>) or from arrays (<see cref="FromArrays"/>).
/// </summary>
public sealed class TimeSeriesData
{
    internal TimeSeriesData(string source, string targetName, double[] target, IReadOnlyList<string> inputNames,
        IReadOnlyList<double[]> inputs, string? timeName, IReadOnlyList<string>? times, string? sha256)
    {
        Source = source;
        TargetName = targetName;
        Values = target;
        InputNames = inputNames;
        Inputs = inputs;
        TimeName = timeName;
        Times = times;
        Sha256 = sha256;
    }

    /// <summary>Where the series came from: a file path, or "arrays".</summary>
    public string Source { get; }

    /// <summary>The target column's name.</summary>
    public string TargetName { get; }

    /// <summary>The values to forecast, oldest first.</summary>
    public IReadOnlyList<double> Target => Values;

    internal double[] Values { get; }

    /// <summary>The input columns' names, in the order the model reads them.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>The input columns, each as long as <see cref="Target"/>.</summary>
    public IReadOnlyList<double[]> Inputs { get; }

    /// <summary>The time column's name, or null where there is none.</summary>
    public string? TimeName { get; }

    /// <summary>Each row's time as written in the file, or null where there is no time column.</summary>
    public IReadOnlyList<string>? Times { get; }

    /// <summary>The file's sha256 (null for arrays).</summary>
    public string? Sha256 { get; }

    /// <summary>The sha256 of the columns' names and values: what a resumed run checks, wherever the data came from.</summary>
    internal string ContentSha256 => contentSha256 ??= Hash();

    private string? contentSha256;

    private string Hash()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var name in InputNames.Prepend(TargetName)) sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
        foreach (var column in Inputs.Prepend(Values)) sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(column.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Rows.</summary>
    public int Length => Target.Count;

    /// <summary>
    /// Reads a CSV file with a header row (comma, semicolon or tab, found from the header): the
    /// <paramref name="target"/> column, the <paramref name="inputs"/> columns, and the time column
    /// (<paramref name="timeColumn"/>, else one named date, time, timestamp, datetime, month or
    /// year), whose rows must be in increasing order. Throws <see cref="EngineException"/> naming the
    /// file, row and column of the first problem: a missing column, text in a numeric column, a
    /// missing value (unless <paramref name="fill"/> says how to fill it), unsorted times, a constant column.
    /// </summary>
    public static TimeSeriesData ReadCsv(string path, string target, IReadOnlyList<string>? inputs = null,
        MissingValues fill = MissingValues.Refuse, string? timeColumn = null) =>
        SeriesCsv.Read(path, target, inputs ?? [], fill, timeColumn);

    /// <summary>A series from arrays: the target, and inputs by name, each as long as the target. Values must be finite.</summary>
    public static TimeSeriesData FromArrays(IReadOnlyList<double> target, IReadOnlyDictionary<string, double[]>? inputs = null,
        string targetName = "target", IReadOnlyList<string>? times = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var names = inputs?.Keys.ToList() ?? [];
        var columns = names.Select(n => inputs![n]).ToList();
        var values = target.ToArray();
        void Check(string name, double[] column)
        {
            if (column.Length != values.Length)
                throw new UsageException($"input '{name}' has {column.Length} values, the target {values.Length}");
            int bad = Array.FindIndex(column, v => !double.IsFinite(v));
            if (bad >= 0) throw new UsageException($"'{name}' has a non-finite value at index {bad}: {column[bad]}");
        }
        Check(targetName, values);
        for (int i = 0; i < names.Count; i++) Check(names[i], columns[i]);
        if (times != null && times.Count != values.Length)
            throw new UsageException($"times has {times.Count} entries, the target {values.Length}");
        return new TimeSeriesData("arrays", targetName, values, names, columns, times is null ? null : "time", times, null);
    }
}
