using System.Globalization;
using CommandLine;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Verbs;

[Verb("timeseries", HelpText = "Forecast a series from a CSV file (--csv F --target COL), or, without --csv, the sine-wave lesson: RNN(1, 32) + Linear(32, 1), MSE, Adam 0.01.")]
internal sealed class TimeSeriesFlags : SeededDeviceFlags
{
    [Option("csv", HelpText = "A CSV file with a header row (comma, semicolon or tab): train a forecaster on it.")]
    public string? Csv { get; set; }

    [Option("target", HelpText = "With --csv: the column to forecast.")]
    public string? Target { get; set; }

    [Option("inputs", HelpText = "With --csv: other columns the model reads, comma-separated (known up to each forecast origin).")]
    public string? Inputs { get; set; }

    [Option("time", HelpText = "With --csv: the time column (default: one named date, time, timestamp, datetime, month or year); its rows must increase.")]
    public string? Time { get; set; }

    [Option("fill", HelpText = "With --csv: missing values are refused (default), or filled: previous or linear.")]
    public string? Fill { get; set; }

    [Option("window", HelpText = "With --csv: rows each step reads; the hidden state carries over to the next window (default 24).")]
    public int? Window { get; set; }

    [Option("horizon", HelpText = "With --csv: steps ahead forecast from each origin (default 1).")]
    public int? Horizon { get; set; }

    [Option("season", HelpText = "With --csv: the season in rows (12 monthly, 365 daily): the seasonal naive baseline and two phase inputs.")]
    public int? Season { get; set; }

    [Option("no-level", HelpText = "With --csv: the model reads the target's changes only, not its level (for a series that trends past its training range).")]
    public bool NoLevel { get; set; }

    [Option("val-frac", HelpText = "With --csv: the validation split, before the test split (default 0.15).")]
    public double? ValFrac { get; set; }

    [Option("test-frac", HelpText = "With --csv: the test split at the end (default 0.15).")]
    public double? TestFrac { get; set; }

    [Option("batch-size", HelpText = "With --csv: contiguous streams the training rows are cut into (default 8).")]
    public int? BatchSize { get; set; }

    [Option("epochs", HelpText = "With --csv: passes over the training split at most (default 300).")]
    public int? Epochs { get; set; }

    [Option("patience", HelpText = "With --csv: stop after this many epochs without a better validation MAE (0: never; default 40).")]
    public int? Patience { get; set; }

    [Option("grad-clip", HelpText = "With --csv: largest global gradient norm (0: none; default 1).")]
    public double? GradClip { get; set; }

    [Option("checkpoint-dir", HelpText = "With --csv: the run directory (default checkpoints/<file>-<target>-<cell>).")]
    public string? RunDirectory { get; set; }

    [Option("resume", HelpText = "With --csv: continue the forecasting run in this directory from its last whole epoch (--epochs, --patience and --time-limit may change).")]
    public string? Resume { get; set; }

    [Option("overwrite", HelpText = "With --csv: replace a run already in the run directory.")]
    public bool Overwrite { get; set; }

    [Option("time-limit", HelpText = "With --csv: stop cleanly after this long, e.g. 90s, 10m.")]
    public string? TimeLimit { get; set; }

    [Option("json", HelpText = "With --csv: print the result as one JSON object (test_mae, persistence_mae, seasonal_naive_mae, ...).")]
    public bool Json { get; set; }

    [Option("cell", HelpText = "rnn, gru or lstm (default: rnn for the lesson, lstm with --csv).")]
    public string? Cell { get; set; }

    [Option("hidden-size", HelpText = "Units per recurrent layer (default: 32 for the lesson, 64 with --csv).")]
    public int? HiddenSize { get; set; }

    [Option("dropout", HelpText = "With --csv: dropout between recurrent layers while training (default 0).")]
    public double? Dropout { get; set; }

    [Option("num-layers", HelpText = "Recurrent layers (default 1).")]
    public int? NumLayers { get; set; }

    [Option("steps", HelpText = "The lesson: training steps (one half-period window each) (default 75).")]
    public int Steps { get; set; } = 75;

    [Option("seq-length", HelpText = "The lesson: points per window (default 20).")]
    public int SeqLength { get; set; } = 20;

    [Option("print-every", HelpText = "Print (and, for the lesson, plot) every N steps (default 15), or with --csv every N epochs (default 10).")]
    public int? PrintEvery { get; set; }

    [Option("lr", HelpText = "Adam learning rate (default: 0.01 for the lesson, 0.003 with --csv).")]
    public double? LearningRate { get; set; }

    [Option("plot-dir", HelpText = "The lesson: write its figures (PNG) here (with --csv the figures go to the run directory).")]
    public string? PlotDir { get; set; }
}

/// <summary><c>timeseries</c>: with --csv the forecaster (<see cref="ForecastVerb"/>'s training half), else the sine-wave lesson.</summary>
internal static class TimeSeriesVerb
{
    public static int Run(TimeSeriesFlags o, TextWriter output)
    {
        if (o.Csv != null) return ForecastTraining.Run(o, output);
        string[] csvOnly = [.. new (object? Value, string Flag)[] { (o.Target, "--target"), (o.Inputs, "--inputs"), (o.Window, "--window"),
            (o.Horizon, "--horizon"), (o.Season, "--season"), (o.Epochs, "--epochs"), (o.RunDirectory, "--checkpoint-dir"), (o.Fill, "--fill"),
            (o.TestFrac, "--test-frac"), (o.ValFrac, "--val-frac"), (o.Time, "--time"), (o.Resume, "--resume"), (o.Dropout, "--dropout") }.Where(f => f.Value != null).Select(f => f.Flag)];
        if (csvOnly.Length > 0)
            throw new UsageException($"{string.Join(", ", csvOnly)} need{(csvOnly.Length == 1 ? "s" : "")} --csv FILE (without it, timeseries runs the sine-wave lesson)");
        var cell = ParseCell(o.Cell ?? "rnn");
        int hidden = o.HiddenSize ?? 32, layers = o.NumLayers ?? 1;
        var options = new TimeSeriesOptions
        {
            Cell = cell,
            HiddenSize = hidden,
            NumLayers = layers,
            Steps = o.Steps,
            SeqLength = o.SeqLength,
            PrintEvery = o.PrintEvery ?? 15,
            LearningRate = o.LearningRate ?? 0.01,
            Seed = o.SeedOrDefault,
        };
        // A plot directory that cannot be written is refused now, not after training.
        if (o.PlotDir != null) TimeSeriesPlots.EnsureWritable(o.PlotDir);
        using var device = ComputeDevice.Open(o.Accelerator);
        using var lesson = new TimeSeriesLesson(device, options);
        output.WriteLine($"{cell.ModuleName()}(1, {hidden}, {layers} layer{(layers == 1 ? "" : "s")}) + Linear({hidden}, 1): " +
            $"{lesson.Parameters:N0} parameters on {device.Description.Name}");
        var outcome = lesson.Train(r =>
        {
            output.WriteLine($"Step: {r.Step}... Loss: {r.Loss.ToString("G6", CultureInfo.InvariantCulture)}");
            if (o.PlotDir != null) TimeSeriesPlots.Step(o.PlotDir, r);
        });
        if (o.PlotDir != null)
            output.WriteLine($"plots: {TimeSeriesPlots.Loss(o.PlotDir, outcome.Losses)} and step-NNN.png beside it");
        return ExitCodes.Success;
    }

    internal static CellKind ParseCell(string text) => CellKindExtensions.TryParse(text, out var cell) ? cell
        : throw new UsageException($"unknown --cell '{text}' (known: rnn, gru, lstm)");

    internal static MissingValues ParseFill(string? text) => text?.ToLowerInvariant() switch
    {
        null or "none" or "refuse" => MissingValues.Refuse,
        "previous" => MissingValues.Previous,
        "linear" => MissingValues.Linear,
        _ => throw new UsageException($"unknown --fill '{text}' (known: previous, linear)"),
    };
}
