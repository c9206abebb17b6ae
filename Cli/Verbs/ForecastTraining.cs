using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Verbs;

/// <summary>
/// <c>timeseries --csv F --target COL</c>: reads the series, trains a <see cref="TimeSeriesForecaster"/>
/// into a run directory, prints a line every few epochs and, at the end, the test split's MAE and
/// RMSE beside persistence and seasonal naive (or one JSON object), and draws the figures.
/// </summary>
internal static class ForecastTraining
{
    public static int Run(TimeSeriesFlags o, TextWriter output)
    {
        if (o.Resume != null) return Resume(o, output);
        if (o.Target is null) throw new UsageException("--csv needs --target COL: the column to forecast");
        if (o.PlotDir != null) throw new UsageException("--plot-dir is for the sine-wave lesson; with --csv the figures go to the run directory (--checkpoint-dir)");
        var inputs = o.Inputs?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var data = TimeSeriesData.ReadCsv(o.Csv!, o.Target, inputs, TimeSeriesVerb.ParseFill(o.Fill), o.Time);
        var cell = TimeSeriesVerb.ParseCell(o.Cell ?? "lstm");
        var defaults = new ForecastOptions();
        string runDirectory = o.RunDirectory ?? Path.Combine("checkpoints",
            $"{Path.GetFileNameWithoutExtension(o.Csv)}-{Safe(data.TargetName)}-{cell.ModuleName()}");
        var options = defaults with
        {
            Cell = cell,
            HiddenSize = o.HiddenSize ?? defaults.HiddenSize,
            NumLayers = o.NumLayers ?? defaults.NumLayers,
            Dropout = o.Dropout ?? defaults.Dropout,
            Window = o.Window ?? defaults.Window,
            Horizon = o.Horizon ?? defaults.Horizon,
            Season = o.Season ?? 0,
            LevelInput = !o.NoLevel,
            ValFrac = o.ValFrac ?? defaults.ValFrac,
            TestFrac = o.TestFrac ?? defaults.TestFrac,
            BatchSize = o.BatchSize ?? defaults.BatchSize,
            Epochs = o.Epochs ?? defaults.Epochs,
            LearningRate = o.LearningRate ?? defaults.LearningRate,
            GradClip = o.GradClip ?? defaults.GradClip,
            Patience = o.Patience ?? defaults.Patience,
            Seed = o.SeedOrDefault,
            TimeLimit = o.TimeLimit is null ? null : Duration.Parse(o.TimeLimit, "--time-limit"),
            RunDirectory = runDirectory,
            Overwrite = o.Overwrite,
        };
        int printEvery = o.PrintEvery ?? 10;
        if (printEvery < 1) throw new UsageException($"--print-every must be at least 1, got {printEvery}");
        using var device = ComputeDevice.Open(o.Accelerator);
        var lines = o.Json ? TextWriter.Null : output;
        lines.WriteLine($"{data.Source}: {data.Length:N0} rows; target {data.TargetName}" +
            (data.InputNames.Count > 0 ? $", inputs {string.Join(", ", data.InputNames)}" : "") +
            (data.TimeName != null ? $"; time {data.TimeName} {data.Times![0]} to {data.Times[^1]}" : ""));
        lines.WriteLine($"model: {cell.ModuleName()} {options.HiddenSize}x{options.NumLayers} + Linear({options.HiddenSize}, {options.Horizon}); " +
            $"window {options.Window}, horizon {options.Horizon}, batch {options.BatchSize}, Adam lr {F(options.LearningRate)}, clip {F(options.GradClip)}; " +
            $"split train / validation / test: the last {F(options.TestFrac)} tests, the {F(options.ValFrac)} before it validates; checkpoints in {runDirectory}");
        using var interrupts = Listen(runDirectory, o.Csv!);
        using var forecaster = TimeSeriesForecaster.Train(device, data, options, Progress(lines, printEvery), interrupts.Token);
        return Finish(o, output, data, forecaster, runDirectory);
    }

    /// <summary><c>timeseries --resume DIR --csv F</c>: the run's columns and settings, this session's length.</summary>
    private static int Resume(TimeSeriesFlags o, TextWriter output)
    {
        string[] fixedFlags = [.. new (object? Value, string Flag)[] { (o.Window, "--window"), (o.Horizon, "--horizon"), (o.Season, "--season"),
            (o.ValFrac, "--val-frac"), (o.TestFrac, "--test-frac"), (o.BatchSize, "--batch-size"), (o.GradClip, "--grad-clip"), (o.Cell, "--cell"),
            (o.HiddenSize, "--hidden-size"), (o.NumLayers, "--num-layers"), (o.Dropout, "--dropout"), (o.LearningRate, "--lr"), (o.Seed, "--seed"), (o.RunDirectory, "--checkpoint-dir"),
            (o.Inputs, "--inputs"), (o.NoLevel ? true : null, "--no-level"), (o.Overwrite ? true : null, "--overwrite") }
            .Where(f => f.Value != null).Select(f => f.Flag)];
        if (fixedFlags.Length > 0)
            throw new UsageException($"--resume keeps the run's model, data and optimizer settings: {string.Join(", ", fixedFlags)} cannot be given; " +
                "only --epochs, --patience, --time-limit, --print-every and --json may change");
        var run = Engine.Forecasting.ForecasterFile.Read(Path.Combine(o.Resume!, "resume.safetensors"));
        if (o.Target != null && o.Target != run.Target)
            throw new UsageException($"--target {o.Target} conflicts with the run's target '{run.Target}'");
        var data = TimeSeriesData.ReadCsv(o.Csv!, run.Target, run.Inputs, TimeSeriesVerb.ParseFill(o.Fill), o.Time);
        using var device = ComputeDevice.Open(o.Accelerator);
        var lines = o.Json ? TextWriter.Null : output;
        int printEvery = o.PrintEvery ?? 10;
        if (printEvery < 1) throw new UsageException($"--print-every must be at least 1, got {printEvery}");
        lines.WriteLine($"resuming {o.Resume} on {data.Source}: {data.Length:N0} rows; target {data.TargetName}");
        using var interrupts = Listen(o.Resume!, o.Csv!);
        var changes = new ForecastResumeOptions
        {
            Epochs = o.Epochs,
            Patience = o.Patience,
            TimeLimit = o.TimeLimit is null ? null : Duration.Parse(o.TimeLimit, "--time-limit"),
        };
        using var forecaster = TimeSeriesForecaster.Resume(device, o.Resume!, data, changes, Progress(lines, printEvery), interrupts.Token);
        return Finish(o, output, data, forecaster, o.Resume!);
    }

    private static Interrupts Listen(string runDirectory, string csv) =>
        new Interrupts(Console.Error, () => $"kept: {runDirectory}/resume.safetensors from the last whole epoch " +
            $"(continue with: timeseries --resume {runDirectory} --csv {csv})").Listen();

    private static ReportLines Progress(TextWriter lines, int printEvery) => new(r =>
    {
        if (r.Epoch % printEvery == 0 || r.Epoch == 1)
            lines.WriteLine($"Epoch: {r.Epoch}... Step: {r.Step}... Loss: {r.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)}... " +
                $"Val MAE: {r.ValidationMae.ToString("F4", CultureInfo.InvariantCulture)}{(r.Best ? " (best)" : "")}");
    });

    private static int Finish(TimeSeriesFlags o, TextWriter output, TimeSeriesData data, TimeSeriesForecaster forecaster, string runDirectory)
    {
        var options = forecaster.Options;
        var result = forecaster.Training!;
        var t = result.Test;
        var figures = result.Reports.Count > 0 ? ForecastPlots.Draw(runDirectory, data, forecaster, result) : [];
        if (o.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["test_mae"] = t.Mae,
                ["test_rmse"] = t.Rmse,
                ["persistence_mae"] = t.PersistenceMae,
                ["persistence_rmse"] = t.PersistenceRmse,
                ["seasonal_naive_mae"] = t.SeasonalNaiveMae,
                ["seasonal_naive_rmse"] = t.SeasonalNaiveRmse,
                ["origins"] = t.Origins,
                ["horizon"] = options.Horizon,
                ["best_epoch"] = result.BestEpoch,
                ["best_val_mae"] = double.IsFinite(result.BestValidationMae) ? result.BestValidationMae : null,
                ["epochs"] = result.Epochs,
                ["steps"] = result.Steps,
                ["stop_reason"] = result.StopReason,
                ["checkpoint"] = Path.Combine(runDirectory, "best.safetensors"),
            }));
        }
        else
        {
            output.WriteLine($"stopped ({result.StopReason}) after epoch {result.Epochs}; best validation MAE " +
                $"{result.BestValidationMae.ToString("F4", CultureInfo.InvariantCulture)} at epoch {result.BestEpoch}; saved {runDirectory}/best.safetensors");
            output.WriteLine($"test split: {t.Origins} origins x steps 1..{options.Horizon}, {data.TargetName} units");
            var table = new MarkdownTable("forecast", "MAE", "RMSE");
            table.Add("model", G(t.Mae), G(t.Rmse));
            table.Add("persistence", G(t.PersistenceMae), G(t.PersistenceRmse));
            if (t.SeasonalNaiveMae is { } sm) table.Add($"seasonal naive (S = {options.Season})", G(sm), G(t.SeasonalNaiveRmse!.Value));
            output.Write(table.ToString());
            output.WriteLine($"{(figures.Count > 0 ? $"figures: {string.Join(", ", figures)}; " : "")}forecast on: ilgpu-lstm forecast --checkpoint {runDirectory}/best.safetensors --csv {o.Csv}");
        }
        if (result.StopReason == "interrupted")
        {
            output.WriteLine($"continue with: ilgpu-lstm timeseries --resume {runDirectory} --csv {o.Csv}");
            return ExitCodes.Interrupted;
        }
        return ExitCodes.Success;
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
    private static string G(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));

    /// <summary>Reports as they come, on the training thread (no synchronization context hop).</summary>
    private sealed class ReportLines(Action<ForecastReport> report) : IProgress<ForecastReport>
    {
        public void Report(ForecastReport value) => report(value);
    }
}
