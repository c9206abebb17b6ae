using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IlgpuLstm.Engine.Forecasting;

/// <summary>
/// Reads a series from a CSV file: header row, comma, semicolon or tab (whichever the header holds
/// most of), double-quoted fields; every problem named by file, row (the file's line) and column.
/// </summary>
internal static class SeriesCsv
{
    private static readonly string[] TimeNames = ["date", "time", "timestamp", "datetime", "month", "year", "ds"];
    private static readonly string[] MissingMarks = ["", "na", "nan", "null", "n/a", "none", "-"];

    public static TimeSeriesData Read(string path, string target, IReadOnlyList<string> inputs, MissingValues fill, string? timeColumn)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"CSV file '{path}' does not exist", path);
        }
        catch (DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"CSV file '{path}' does not exist", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"CSV file '{path}' cannot be read: {e.Message}");
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new EngineException($"CSV file '{path}' is not valid UTF-8; save it as UTF-8 first");
        }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new EngineException($"CSV file '{path}' is empty");
        char separator = new[] { ',', ';', '\t' }.MaxBy(c => lines[0].Count(x => x == c));
        var header = Split(lines[0], separator).Select(h => h.Trim()).ToList();

        int Column(string name, string role)
        {
            int i = header.IndexOf(name);
            if (i < 0) i = header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
            if (i < 0)
                throw new EngineException($"CSV file '{path}' has no column '{name}' for the {role} (its columns: {string.Join(", ", header)})" +
                    Spelling.Suggest(name, header, ""));
            return i;
        }
        int targetIndex = Column(target, "target");
        var inputIndex = inputs.Select(n => Column(n, "inputs")).ToList();
        if (inputIndex.Contains(targetIndex))
            throw new UsageException($"column '{header[targetIndex]}' is the target; it is among the model's inputs already (leave it out of the inputs)");
        if (inputIndex.Distinct().Count() != inputIndex.Count) throw new UsageException("a column is named twice among the inputs");
        int timeIndex = timeColumn != null ? Column(timeColumn, "time")
            : header.FindIndex(h => TimeNames.Contains(h.ToLowerInvariant()));

        int rows = lines.Count - 1;
        var numeric = new[] { targetIndex }.Concat(inputIndex).ToList();
        var values = numeric.Select(_ => new double[rows]).ToList();
        var missing = numeric.Select(_ => new List<int>()).ToList();
        var times = timeIndex >= 0 ? new string[rows] : null;
        double? previousTime = null;
        string previousText = "";
        for (int r = 0; r < rows; r++)
        {
            int line = r + 2;
            var fields = Split(lines[r + 1], separator);
            if (fields.Count != header.Count)
                throw new EngineException($"CSV file '{path}', row {line}: {fields.Count} field{(fields.Count == 1 ? "" : "s")}, the header has {header.Count}");
            for (int k = 0; k < numeric.Count; k++)
            {
                string cell = fields[numeric[k]].Trim();
                if (MissingMarks.Contains(cell.ToLowerInvariant()))
                {
                    if (fill == MissingValues.Refuse)
                        throw new EngineException($"CSV file '{path}', row {line}, column '{header[numeric[k]]}': the value is missing; " +
                            "fill it in the file, or fill gaps with --fill previous|linear (MissingValues)");
                    missing[k].Add(r);
                    values[k][r] = double.NaN;
                    continue;
                }
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new EngineException($"CSV file '{path}', row {line}, column '{header[numeric[k]]}': '{cell}' is not a number" +
                        (cell.Contains(',') ? " (write decimals with a point)" : ""));
                values[k][r] = v;
            }
            if (times != null)
            {
                string t = fields[timeIndex].Trim();
                times[r] = t;
                double? at = TimeValue(t);
                if (at is null)
                    throw new EngineException($"CSV file '{path}', row {line}, column '{header[timeIndex]}': '{t}' is not a date or a number " +
                        "(name the time column with --time COL, or leave it out)");
                if (previousTime is { } before && at <= before)
                    throw new EngineException($"CSV file '{path}', row {line}, column '{header[timeIndex]}': {t} does not come after " +
                        $"the row before ({previousText}); sort the file by time, oldest first, with one row per time");
                previousTime = at;
                previousText = t;
            }
        }
        for (int k = 0; k < numeric.Count; k++)
        {
            string name = header[numeric[k]];
            if (missing[k].Count == rows) throw new EngineException($"CSV file '{path}', column '{name}': every value is missing");
            if (missing[k].Count > 0) Fill(values[k], fill);
            if (rows > 1 && values[k].All(v => v == values[k][0]))
                throw new EngineException($"CSV file '{path}', column '{name}': every row holds {values[k][0].ToString(CultureInfo.InvariantCulture)}; " +
                    "a constant column can be neither scaled nor learned from, leave it out");
        }
        return new TimeSeriesData(path, header[targetIndex], values[0], inputIndex.Select(i => header[i]).ToList(), values.Skip(1).ToList(),
            timeIndex >= 0 ? header[timeIndex] : null, times, sha);
    }

    /// <summary>A time as a number that orders like it: a date's ticks, or the number itself.</summary>
    private static double? TimeValue(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double n)) return n;
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
            return d.Ticks;
        return null;
    }

    private static void Fill(double[] v, MissingValues fill)
    {
        int first = Array.FindIndex(v, x => !double.IsNaN(x));
        for (int i = 0; i < first; i++) v[i] = v[first];
        for (int i = first + 1; i < v.Length; i++)
        {
            if (!double.IsNaN(v[i])) continue;
            int end = i;
            while (end < v.Length && double.IsNaN(v[end])) end++;
            for (int j = i; j < end; j++)
                v[j] = fill == MissingValues.Linear && end < v.Length
                    ? v[i - 1] + (v[end] - v[i - 1]) * (j - i + 1) / (end - i + 1)
                    : v[i - 1];
            i = end;
        }
    }

    /// <summary>One CSV line's fields: double-quoted fields may hold the separator and "" for a quote.</summary>
    private static List<string> Split(string line, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == separator) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
