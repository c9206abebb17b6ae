using System.Globalization;
using System.Text;
using CommandLine;
using IlgpuLstm.Engine;

namespace IlgpuLstm.Cli.Verbs;

[Verb("forecast", HelpText = "Continue a series past its end with a forecaster trained by 'timeseries --csv'.")]
internal sealed class ForecastFlags : DeviceFlags
{
    [Option("checkpoint", Required = true, HelpText = "A forecaster checkpoint (best.safetensors of a timeseries --csv run).")]
    public string Checkpoint { get; set; } = "";

    [Option("csv", Required = true, HelpText = "The series up to now, with the columns the model was trained on; read from its first row.")]
    public string Csv { get; set; } = "";

    [Option("horizon", HelpText = "Steps to print (at most the model's horizon; default all of them).")]
    public int? Horizon { get; set; }

    [Option("fill", HelpText = "Missing values are refused (default), or filled: previous or linear.")]
    public string? Fill { get; set; }

    [Option("out", HelpText = "Also write the forecast as CSV (step,time,forecast) here; an existing file is replaced only with --overwrite.")]
    public string? Out { get; set; }

    [Option("overwrite", HelpText = "Replace an existing --out file.")]
    public bool Overwrite { get; set; }
}

/// <summary><c>forecast</c>: loads a <see cref="TimeSeriesForecaster"/>, reads the CSV, prints the next H values.</summary>
internal static class ForecastVerb
{
    public static int Run(ForecastFlags o, TextWriter output)
    {
        if (o.Out != null && File.Exists(o.Out) && !o.Overwrite)
            throw new UsageException($"'{o.Out}' exists; choose another --out or add --overwrite");
        using var device = ComputeDevice.Open(o.Accelerator);
        using var forecaster = TimeSeriesForecaster.Load(o.Checkpoint, device);
        int horizon = o.Horizon ?? forecaster.Horizon;
        if (horizon < 1 || horizon > forecaster.Horizon)
            throw new UsageException($"--horizon must be 1 to {forecaster.Horizon} (the model's horizon), got {horizon}");
        var data = TimeSeriesData.ReadCsv(o.Csv, forecaster.TargetName, forecaster.InputNames, TimeSeriesVerb.ParseFill(o.Fill));
        var values = forecaster.Forecast(data);
        var times = NextTimes(data.Times, horizon);
        var csv = new StringBuilder("step,time,forecast\n");
        output.WriteLine($"{forecaster.TargetName} after {(data.Times is { } t ? t[^1] : $"row {data.Length}")}:");
        for (int h = 1; h <= horizon; h++)
        {
            string value = values[h - 1].ToString("G6", CultureInfo.InvariantCulture);
            output.WriteLine(times is null ? $"  +{h} {value}" : $"  +{h} {times[h - 1]} {value}");
            csv.Append(CultureInfo.InvariantCulture, $"{h},{times?[h - 1] ?? ""},{value}\n");
        }
        if (o.Out != null)
        {
            try
            {
                File.WriteAllText(o.Out, csv.ToString());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EngineException($"cannot write --out '{o.Out}': {e.Message}");
            }
            output.WriteLine($"written: {o.Out}");
        }
        return ExitCodes.Success;
    }

    /// <summary>The times of the next rows, stepping as the last two rows do (whole months for monthly dates), or null.</summary>
    private static string[]? NextTimes(IReadOnlyList<string>? times, int horizon)
    {
        if (times is null || times.Count < 2) return null;
        var style = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        if (DateTime.TryParse(times[^1], CultureInfo.InvariantCulture, style, out var last) &&
            DateTime.TryParse(times[^2], CultureInfo.InvariantCulture, style, out var before))
        {
            int months = (last.Year - before.Year) * 12 + last.Month - before.Month;
            bool monthly = months > 0 && last.Day == before.Day && last.TimeOfDay == before.TimeOfDay;
            string format = last.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-ddTHH:mm:ss";
            return [.. Enumerable.Range(1, horizon).Select(h =>
                (monthly ? last.AddMonths(months * h) : last + (last - before) * h).ToString(format, CultureInfo.InvariantCulture))];
        }
        if (double.TryParse(times[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double a) &&
            double.TryParse(times[^2], NumberStyles.Float, CultureInfo.InvariantCulture, out double b))
            return [.. Enumerable.Range(1, horizon).Select(h => (a + (a - b) * h).ToString(CultureInfo.InvariantCulture))];
        return null;
    }
}
