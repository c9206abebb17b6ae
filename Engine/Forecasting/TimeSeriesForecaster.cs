using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Forecasting;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm;

/// <summary>
/// A recurrent forecaster for a user's series: trains on the first part of it (windows of rows,
/// the hidden state carried where the series is continuous), picks the epoch with the best
/// validation MAE, reports the test split's errors beside persistence and seasonal naive, and
/// forecasts H steps past the end of a series. Checkpoints are safetensors under PyTorch's names
/// (<c>rnn.weight_ih_l0</c>, <c>fc.weight</c>) with the scaling and columns in their metadata.
/// Not safe to call from several threads at once.
/// </summary>
public sealed class TimeSeriesForecaster : IDisposable
{
    /// <summary>The <c>format</c> metadata of a forecaster's checkpoint.</summary>
    public const string Format = "ilgpu-lstm-forecaster-1";

    private readonly ComputeDevice device;
    private readonly TimeSeriesRnn model;
    private readonly TimeSeriesEvaluator evaluator;
    private readonly SeriesScaling scaling;
    private bool disposed;

    private TimeSeriesForecaster(ComputeDevice device, ForecastOptions options, SeriesScaling scaling, string target,
        IReadOnlyList<string> inputs, int batch)
    {
        this.device = device;
        this.scaling = scaling;
        Options = options;
        TargetName = target;
        InputNames = inputs;
        model = new TimeSeriesRnn(device, options.Cell, scaling.Features, options.HiddenSize, options.NumLayers, options.Horizon,
            batch, options.Window);
        evaluator = model.CreateEvaluator(device);
    }

    /// <summary>The options it was trained with.</summary>
    public ForecastOptions Options { get; }
    /// <summary>The column it forecasts.</summary>
    public string TargetName { get; }
    /// <summary>The input columns it reads, in order.</summary>
    public IReadOnlyList<string> InputNames { get; }
    /// <summary>Steps ahead of each forecast.</summary>
    public int Horizon => Options.Horizon;
    /// <summary>Trainable parameters.</summary>
    public long Parameters => model.Layout.Count;
    /// <summary>How training went, for a forecaster just trained; null for one loaded from a file.</summary>
    public ForecastTrainingResult? Training { get; private set; }

    /// <summary>
    /// Trains on <paramref name="data"/>'s training split, validating after every epoch, and returns
    /// the forecaster with the best validation MAE, its test errors in <see cref="Training"/>. With a
    /// <see cref="ForecastOptions.RunDirectory"/> it writes <c>best</c> and <c>latest.safetensors</c> and
    /// <c>metrics.jsonl</c> there (locked while training; a run there already is kept unless
    /// <see cref="ForecastOptions.Overwrite"/>). A cancelled token stops it after the current step, with the best so far.
    /// </summary>
    public static TimeSeriesForecaster Train(ComputeDevice device, TimeSeriesData data, ForecastOptions? options = null,
        IProgress<ForecastReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ForecastOptions();
        options.Validate();
        var split = SeriesSplit.Of(data.Length, options.ValFrac, options.TestFrac, options.Horizon);
        if (split.Count(split.TestOrigins) < 1)
            throw new UsageException($"the test split ({split.Rows - split.ValidationEnd} of {split.Rows} rows) holds no forecast origin with " +
                $"{options.Horizon} rows after it; give a larger test fraction or a shorter horizon");
        if (options.ValFrac > 0 && split.Count(split.ValidationOrigins) < 1)
            throw new UsageException($"the validation split ({split.ValidationEnd - split.TrainEnd} rows) holds no forecast origin with " +
                $"{options.Horizon} rows after it; give a larger validation fraction or a shorter horizon");
        if (options.Season > split.ValidationEnd)
            throw new UsageException($"a season of {options.Season} rows is longer than the {split.ValidationEnd} rows before the test split");
        var scaling = SeriesScaling.Fit(data, split.TrainEnd, options.Horizon, options.LevelInput, options.Season);
        var inputs = scaling.Inputs(data);
        var targets = scaling.Targets(data);
        var batches = new SeriesBatches(inputs, targets, split.Count(split.TrainOrigins), options.BatchSize, options.Window,
            scaling.Features, options.Horizon);
        var forecaster = new TimeSeriesForecaster(device, options, scaling, data.TargetName, data.InputNames, options.BatchSize);
        try
        {
            forecaster.Fit(data, split, inputs, batches, progress, cancellationToken);
            return forecaster;
        }
        catch
        {
            forecaster.Dispose();
            throw;
        }
    }

    private void Fit(TimeSeriesData data, SeriesSplit split, float[] inputs, SeriesBatches batches, IProgress<ForecastReport>? progress,
        CancellationToken cancel)
    {
        var o = Options;
        model.Initialize(o.Seed);
        using var runLock = o.RunDirectory is null ? null : RunDirectoryLock.Acquire(o.RunDirectory);
        if (o.RunDirectory != null && !o.Overwrite && CheckpointPlan.HoldsRun(o.RunDirectory))
            throw new EngineException($"'{o.RunDirectory}' holds the checkpoints of another run; train into a new directory, or replace it with --overwrite (Overwrite)");
        using var metrics = o.RunDirectory is null ? null : new StreamWriter(Path.Combine(o.RunDirectory, "metrics.jsonl"), append: false);
        int chunks = batches.ChunksPerEpoch, steps = o.Epochs * chunks;
        var clock = Stopwatch.StartNew();
        var reports = new List<ForecastReport>();
        var epochLosses = new float[chunks];
        float[] best = model.Store.Download();
        double bestMae = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0, epoch = 0;
        string reason = "all epochs done";
        var losses = SeriesTrainer.Run(device, model, batches, steps, new OptimizerSettings(OptimizerKind.Adam, o.LearningRate), o.GradClip,
            (k, history) =>
            {
                bool interrupted = cancel.IsCancellationRequested, late = o.TimeLimit is { } limit && clock.Elapsed >= limit;
                if ((k + 1) % chunks != 0 && !interrupted && !late) return false;
                epoch = (k + 1 + chunks - 1) / chunks;
                int first = (epoch - 1) * chunks, count = k + 1 - first;
                device.Ops.Download(history.SubView(first, count), epochLosses);
                double trainLoss = epochLosses.Take(count).Average(v => (double)v);
                if (!double.IsFinite(trainLoss))
                    throw new EngineException($"training diverged at epoch {epoch}: the loss is {trainLoss}; try a lower learning rate or a gradient clip");
                var (valMae, valLoss) = o.ValFrac > 0 ? Validate(data, split, inputs) : (double.NaN, trainLoss);
                bool isBest = o.ValFrac > 0 ? valMae < bestMae : true;
                if (isBest)
                {
                    bestMae = valMae;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    best = model.Store.Download();
                    if (o.RunDirectory != null) Save(Path.Combine(o.RunDirectory, CheckpointPlan.BestName), data, epoch, valMae);
                }
                else sinceBest++;
                var report = new ForecastReport(epoch, k + 1, trainLoss, valMae, valLoss, isBest, clock.Elapsed);
                reports.Add(report);
                metrics?.WriteLine(JsonSerializer.Serialize(new RunMetrics.Point(k + 1, epoch, trainLoss, o.ValFrac > 0 ? valLoss : null, 0,
                    o.LearningRate, 0, clock.Elapsed.TotalSeconds), RunMetrics.Json));
                metrics?.Flush();
                progress?.Report(report);
                if (interrupted) reason = "interrupted";
                else if (late) reason = "time limit reached";
                else if (o.Patience > 0 && sinceBest >= o.Patience) reason = $"no better validation MAE for {o.Patience} epochs";
                else return false;
                return true;
            });
        if (o.RunDirectory != null) Save(Path.Combine(o.RunDirectory, CheckpointPlan.LatestName), data, epoch, reports.LastOrDefault()?.ValidationMae ?? double.NaN);
        model.Store.Upload(best);
        Training = new ForecastTrainingResult(reason, losses.Length, epoch, bestEpoch, bestMae, Evaluate(data), reports, losses, o.RunDirectory);
    }

    private (double Mae, double Loss) Validate(TimeSeriesData data, SeriesSplit split, float[] inputs)
    {
        var outputs = evaluator.Run(inputs, split.ValidationEnd);
        var y = data.Values;
        int h = Options.Horizon;
        var (mae, _) = ForecastErrors.Of(y, split.ValidationOrigins, h, (t, step) => scaling.Forecast(y[t], outputs[(long)t * h + step - 1], step));
        double squared = 0;
        long n = 0;
        for (int t = split.ValidationOrigins.From; t < split.ValidationOrigins.To; t++)
            for (int step = 1; step <= h; step++, n++)
            {
                double e = outputs[(long)t * h + step - 1] - (y[t + step] - y[t]) / scaling.TargetScales[step - 1];
                squared += e * e;
            }
        return (mae, squared / n);
    }

    /// <summary>
    /// The test split's errors (the last <see cref="ForecastOptions.TestFrac"/> of <paramref name="data"/>'s
    /// rows), over steps 1..H from every origin with H rows after it, beside persistence and seasonal naive.
    /// </summary>
    public ForecastErrorsSummary Evaluate(TimeSeriesData data)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        CheckColumns(data);
        var split = SeriesSplit.Of(data.Length, Options.ValFrac, Options.TestFrac, Options.Horizon);
        var outputs = evaluator.Run(scaling.Inputs(data), data.Length);
        var y = data.Values;
        int h = Options.Horizon;
        var origins = split.TestOrigins;
        var (mae, rmse) = ForecastErrors.Of(y, origins, h, (t, step) => scaling.Forecast(y[t], outputs[(long)t * h + step - 1], step));
        var (pMae, pRmse) = ForecastErrors.Persistence(y, origins, h);
        (double Mae, double Rmse)? seasonal = Options.Season > 0 ? ForecastErrors.SeasonalNaive(y, origins, h, Options.Season) : null;
        return new ForecastErrorsSummary(split.Count(origins), mae, rmse, pMae, pRmse, seasonal?.Mae, seasonal?.Rmse);
    }

    /// <summary>Forecasts for every row of <paramref name="data"/>: row t's H values forecast rows t+1..t+H.</summary>
    public double[][] ForecastEveryRow(TimeSeriesData data)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        CheckColumns(data);
        var outputs = evaluator.Run(scaling.Inputs(data), data.Length);
        var y = data.Values;
        int h = Options.Horizon;
        return [.. Enumerable.Range(0, data.Length).Select(t =>
            Enumerable.Range(1, h).Select(step => scaling.Forecast(y[t], outputs[(long)t * h + step - 1], step)).ToArray())];
    }

    /// <summary>The next <see cref="Horizon"/> values after the end of <paramref name="data"/> (the whole history is read, oldest first).</summary>
    public double[] Forecast(TimeSeriesData data) => ForecastEveryRow(data)[^1];

    /// <summary>Writes the forecaster to a safetensors file (atomically; an existing file is replaced).</summary>
    public void Save(string path) => Save(path, null, Training?.BestEpoch ?? 0, Training?.BestValidationMae ?? double.NaN);

    private void Save(string path, TimeSeriesData? data, int epoch, double valMae)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var values = model.Store.Download();
        var tensors = model.Layout.Specs
            .Select(s => (s.Name, s.Shape.Select(d => (long)d).ToArray(), values.AsSpan((int)s.Offset, (int)s.Length).ToArray()))
            .ToList();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["options"] = JsonSerializer.Serialize(Options with { RunDirectory = null, Overwrite = false, TimeLimit = null }),
            ["scaling"] = scaling.Serialize(),
            ["target"] = TargetName,
            ["inputs"] = JsonSerializer.Serialize(InputNames),
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["val_mae"] = valMae.ToString("R", CultureInfo.InvariantCulture),
            ["created"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        if (data != null)
        {
            metadata["source"] = data.Source;
            if (data.Sha256 != null) metadata["source_sha256"] = data.Sha256;
            metadata["rows"] = data.Length.ToString(CultureInfo.InvariantCulture);
            if (data.Times != null) metadata["last_time"] = data.Times[^1];
        }
        SafetensorsFile.Write(path, metadata, tensors);
    }

    /// <summary>Loads a forecaster written by <see cref="Save(string)"/> or by training.</summary>
    public static TimeSeriesForecaster Load(string path, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var file = SafetensorsFile.Open(path);
        if (file.Metadata.GetValueOrDefault("format") != Format)
            throw new EngineException($"'{path}' is not a forecaster checkpoint (format '{file.Metadata.GetValueOrDefault("format") ?? "none"}'); " +
                "character models are sampled with 'sample'");
        ForecastOptions options;
        SeriesScaling scaling;
        List<string> inputs;
        try
        {
            options = JsonSerializer.Deserialize<ForecastOptions>(file.Metadata["options"])!;
            scaling = SeriesScaling.Deserialize(file.Metadata["scaling"]);
            inputs = JsonSerializer.Deserialize<List<string>>(file.Metadata["inputs"])!;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or NullReferenceException)
        {
            throw new EngineException($"forecaster checkpoint '{path}' has unreadable metadata: {e.Message}");
        }
        var forecaster = new TimeSeriesForecaster(device, options, scaling, file.Metadata.GetValueOrDefault("target") ?? "target", inputs, 1);
        try
        {
            var values = new float[forecaster.model.Layout.Count];
            foreach (var spec in forecaster.model.Layout.Specs)
            {
                if (!file.Tensors.ContainsKey(spec.Name)) throw new EngineException($"forecaster checkpoint '{path}' lacks tensor '{spec.Name}'");
                var data = file.ReadFloat32(spec.Name);
                if (data.Length != spec.Length)
                    throw new EngineException($"forecaster checkpoint '{path}': tensor '{spec.Name}' has {data.Length} values, the model needs {spec.Length}");
                data.CopyTo(values, spec.Offset);
            }
            forecaster.model.Store.Upload(values);
            return forecaster;
        }
        catch
        {
            forecaster.Dispose();
            throw;
        }
    }

    private void CheckColumns(TimeSeriesData data)
    {
        if (!data.InputNames.SequenceEqual(InputNames))
            throw new EngineException($"the model reads target '{TargetName}' with inputs [{string.Join(", ", InputNames)}]; " +
                $"the data has [{string.Join(", ", data.InputNames)}]");
    }

    /// <summary>Frees the model's device memory.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        evaluator.Dispose();
        model.Dispose();
    }
}
