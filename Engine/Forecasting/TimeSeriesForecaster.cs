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
/// Safe to call from several threads, and beside character models on the same device: calls on one
/// device run one at a time (training hands the device over between its steps). After
/// <see cref="Dispose"/>, or its device's, every call throws <see cref="ObjectDisposedException"/>.
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
        lock (device.Gate)
        {
            device.ThrowIfDisposed();
            model = new TimeSeriesRnn(device, options.Cell, scaling.Features, options.HiddenSize, options.NumLayers, options.Horizon,
                batch, options.Window, (float)options.Dropout);
            evaluator = model.CreateEvaluator(device);
        }
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
    /// <exception cref="OptionOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="UsageException">The series is too short for the options (a split holds no forecast origin, a season longer than the history).</exception>
    /// <exception cref="EngineException">The run directory holds another run, or training diverged.</exception>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public static TimeSeriesForecaster Train(ComputeDevice device, TimeSeriesData data, ForecastOptions? options = null,
        IProgress<ForecastReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ForecastOptions();
        options.Validate();
        return Run(device, data, options, null, progress, cancellationToken);
    }

    /// <summary>
    /// Continues the run in <paramref name="runDirectory"/> from the end of its last whole epoch
    /// (its <c>resume.safetensors</c>), on the same data (checked by content), exactly as it would
    /// have gone on: the same losses, bit for bit, on the same accelerator.
    /// </summary>
    public static TimeSeriesForecaster Resume(ComputeDevice device, string runDirectory, TimeSeriesData data,
        ForecastResumeOptions? changes = null, IProgress<ForecastReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(data);
        var path = Path.Combine(runDirectory, CheckpointPlan.ResumeName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"cannot resume: '{path}' does not exist (is '{runDirectory}' the directory of a forecasting run?)", path);
        var file = ForecasterFile.Read(path);
        if (file.Metadata.GetValueOrDefault("data_sha256") is { } sha && sha != data.ContentSha256)
            throw new EngineException($"cannot resume: the data is not the run's (content sha256 {data.ContentSha256}, the run's {sha}); " +
                "a run continues only on the series it started on");
        var options = file.Options with
        {
            Epochs = changes?.Epochs ?? file.Options.Epochs,
            Patience = changes?.Patience ?? file.Options.Patience,
            TimeLimit = changes?.TimeLimit,
            RunDirectory = runDirectory,
            Overwrite = false,
        };
        options.Validate();
        return Run(device, data, options, file, progress, cancellationToken);
    }

    private static TimeSeriesForecaster Run(ComputeDevice device, TimeSeriesData data, ForecastOptions options, ForecasterFile? from,
        IProgress<ForecastReport>? progress, CancellationToken cancellationToken)
    {
        var split = SeriesSplit.Of(data.Length, options.ValFrac, options.TestFrac, options.Horizon);
        if (split.Count(split.TestOrigins) < 1)
            throw new UsageException($"the test split ({split.Rows - split.ValidationEnd} of {split.Rows} rows) holds no forecast origin with " +
                $"{options.Horizon} rows after it; give a larger test fraction or a shorter horizon");
        if (options.ValFrac > 0 && split.Count(split.ValidationOrigins) < 1)
            throw new UsageException($"the validation split ({split.ValidationEnd - split.TrainEnd} rows) holds no forecast origin with " +
                $"{options.Horizon} rows after it; give a larger validation fraction or a shorter horizon");
        if (options.Season > split.ValidationEnd)
            throw new UsageException($"a season of {options.Season} rows is longer than the {split.ValidationEnd} rows before the test split");
        var scaling = from?.Scaling ?? SeriesScaling.Fit(data, split.TrainEnd, options.Horizon, options.LevelInput, options.Season);
        var inputs = scaling.Inputs(data);
        var targets = scaling.Targets(data);
        var batches = new SeriesBatches(inputs, targets, split.Count(split.TrainOrigins), options.BatchSize, options.Window,
            scaling.Features, options.Horizon);
        var forecaster = new TimeSeriesForecaster(device, options, scaling, data.TargetName, data.InputNames, options.BatchSize);
        try
        {
            forecaster.Fit(data, split, inputs, batches, from, progress, cancellationToken);
            return forecaster;
        }
        catch
        {
            forecaster.Dispose();
            throw;
        }
    }

    private void Fit(TimeSeriesData data, SeriesSplit split, float[] inputs, SeriesBatches batches, ForecasterFile? from,
        IProgress<ForecastReport>? progress, CancellationToken cancel)
    {
        var o = Options;
        using var runLock = o.RunDirectory is null ? null : RunDirectoryLock.Acquire(o.RunDirectory);
        if (from is null && o.RunDirectory != null && !o.Overwrite && CheckpointPlan.HoldsRun(o.RunDirectory))
            throw new EngineException($"'{o.RunDirectory}' holds the checkpoints of another run; continue it with --resume (Resume), " +
                "train into a new directory, or replace it with --overwrite (Overwrite)");
        int count = (int)model.Layout.Count;
        var position = from is null ? new ForecastPosition(0, 0, double.PositiveInfinity, 0, 0, 0)
            : ForecastPosition.Deserialize(from.Metadata.GetValueOrDefault(ForecastPosition.Key) ?? throw new EngineException("the resume checkpoint has no position"));
        float[] best;
        if (from is null)
        {
            model.Initialize(o.Seed);
            best = model.Store.Download();
        }
        else
        {
            model.Store.Upload(Flat(from));
            model.Store.UploadMoment(1, from.Tensors[ForecastPosition.Moment1]);
            model.Store.UploadMoment(2, from.Tensors[ForecastPosition.Moment2]);
            best = from.Tensors[ForecastPosition.Best];
        }
        using var metrics = o.RunDirectory is null ? null : OpenMetrics(Path.Combine(o.RunDirectory, "metrics.jsonl"), append: from != null);
        int chunks = batches.ChunksPerEpoch, steps = o.Epochs * chunks;
        var clock = Stopwatch.StartNew();
        double elapsedBefore = position.ElapsedSeconds;
        var reports = new List<ForecastReport>();
        var epochLosses = new float[chunks];
        double bestMae = position.BestMae;
        int bestEpoch = position.BestEpoch, sinceBest = position.SinceBest, epoch = position.Epoch;
        string reason = "all epochs done";
        bool done = position.Steps >= steps || (o.Patience > 0 && sinceBest >= o.Patience);
        if (done) reason = "nothing to do: the run had already stopped; extend it with more epochs or patience";
        var moment1 = new float[count];
        var moment2 = new float[count];
        var losses = done ? [] : SeriesTrainer.Run(device, model, batches, steps, new OptimizerSettings(OptimizerKind.Adam, o.LearningRate), o.GradClip,
            (k, history) =>
            {
                bool interrupted = cancel.IsCancellationRequested, late = o.TimeLimit is { } limit && clock.Elapsed >= limit;
                bool epochEnd = (k + 1) % chunks == 0;
                if (!epochEnd && !interrupted && !late) return false;
                if (epochEnd)
                {
                    epoch = (k + 1) / chunks;
                    device.Ops.Download(history.SubView(k + 1 - chunks, chunks), epochLosses);
                    double trainLoss = epochLosses.Average(v => (double)v);
                    if (!double.IsFinite(trainLoss))
                        throw new EngineException($"training diverged at epoch {epoch}: the loss is {trainLoss}; try a lower learning rate or a gradient clip");
                    var (valMae, valLoss) = o.ValFrac > 0 ? Validate(data, split, inputs) : (double.NaN, trainLoss);
                    bool isBest = o.ValFrac <= 0 || valMae < bestMae;
                    if (isBest)
                    {
                        bestMae = valMae;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        best = model.Store.Download();
                        if (o.RunDirectory != null) Save(Path.Combine(o.RunDirectory, CheckpointPlan.BestName), data, epoch, valMae);
                    }
                    else sinceBest++;
                    var elapsed = TimeSpan.FromSeconds(elapsedBefore) + clock.Elapsed;
                    var report = new ForecastReport(epoch, k + 1, trainLoss, valMae, valLoss, isBest, elapsed);
                    reports.Add(report);
                    if (o.RunDirectory != null)
                    {
                        // Every epoch's end is a point to resume from; a stop inside the next epoch goes back to it.
                        device.Ops.Download(model.Store.Moment1, moment1);
                        device.Ops.Download(model.Store.Moment2, moment2);
                        var at = new ForecastPosition(epoch, k + 1, bestMae, bestEpoch, sinceBest, elapsed.TotalSeconds);
                        Save(Path.Combine(o.RunDirectory, CheckpointPlan.ResumeName), data, epoch, valMae, at,
                            [(ForecastPosition.Moment1, moment1), (ForecastPosition.Moment2, moment2), (ForecastPosition.Best, best)]);
                        metrics!.WriteLine(JsonSerializer.Serialize(new RunMetrics.Point(k + 1, epoch, trainLoss, o.ValFrac > 0 ? valLoss : null, 0,
                            o.LearningRate, 0, elapsed.TotalSeconds), RunMetrics.Json));
                        metrics.Flush();
                    }
                    progress?.Report(report);
                }
                if (interrupted) reason = "interrupted";
                else if (late) reason = "time limit reached";
                else if (o.Patience > 0 && sinceBest >= o.Patience) reason = $"no better validation MAE for {o.Patience} epochs";
                else return false;
                return true;
            }, firstStep: position.Steps, seed: o.Seed);
        if (o.RunDirectory != null && reports.Count > 0)
            Save(Path.Combine(o.RunDirectory, CheckpointPlan.LatestName), data, epoch, reports[^1].ValidationMae);
        model.Store.Upload(best);
        Training = new ForecastTrainingResult(reason, position.Steps + losses.Length, epoch, bestEpoch, bestMae, Evaluate(data), reports, losses, o.RunDirectory);
    }

    private static StreamWriter OpenMetrics(string path, bool append)
    {
        try
        {
            return new StreamWriter(path, append);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write metrics file '{path}': {e.Message}");
        }
    }

    /// <summary>The model's parameters in layout order from a file's named tensors.</summary>
    private float[] Flat(ForecasterFile file)
    {
        var values = new float[model.Layout.Count];
        foreach (var spec in model.Layout.Specs)
        {
            var data = file.Tensors.TryGetValue(spec.Name, out var t) ? t : throw new EngineException($"forecaster checkpoint lacks tensor '{spec.Name}'");
            if (data.Length != spec.Length)
                throw new EngineException($"forecaster checkpoint: tensor '{spec.Name}' has {data.Length} values, the model needs {spec.Length}");
            data.CopyTo(values, spec.Offset);
        }
        return values;
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
        var outputs = RunWhole(scaling.Inputs(data), data.Length);
        var y = data.Values;
        int h = Options.Horizon;
        var origins = split.TestOrigins;
        var (mae, rmse) = ForecastErrors.Of(y, origins, h, (t, step) => scaling.Forecast(y[t], outputs[(long)t * h + step - 1], step));
        var (pMae, pRmse) = ForecastErrors.Persistence(y, origins, h);
        (double Mae, double Rmse)? seasonal = Options.Season > 0 ? ForecastErrors.SeasonalNaive(y, origins, h, Options.Season) : null;
        return new ForecastErrorsSummary(split.Count(origins), mae, rmse, pMae, pRmse, seasonal?.Mae, seasonal?.Rmse);
    }

    /// <summary>The outputs of every row, under the device's gate (one call at a time on a device, as for CharModel).</summary>
    private float[] RunWhole(float[] inputs, int rows)
    {
        lock (device.Gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            device.ThrowIfDisposed();
            return evaluator.Run(inputs, rows);
        }
    }

    /// <summary>Forecasts for every row of <paramref name="data"/>: row t's H values forecast rows t+1..t+H.</summary>
    public double[][] ForecastEveryRow(TimeSeriesData data)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        CheckColumns(data);
        var outputs = RunWhole(scaling.Inputs(data), data.Length);
        var y = data.Values;
        int h = Options.Horizon;
        return [.. Enumerable.Range(0, data.Length).Select(t =>
            Enumerable.Range(1, h).Select(step => scaling.Forecast(y[t], outputs[(long)t * h + step - 1], step)).ToArray())];
    }

    /// <summary>The next <see cref="Horizon"/> values after the end of <paramref name="data"/> (the whole history is read, oldest first).</summary>
    public double[] Forecast(TimeSeriesData data) => ForecastEveryRow(data)[^1];

    /// <summary>Writes the forecaster to a safetensors file (atomically; an existing file is replaced).</summary>
    public void Save(string path)
    {
        lock (device.Gate)
        {
            device.ThrowIfDisposed();
            Save(path, null, Training?.BestEpoch ?? 0, Training?.BestValidationMae ?? double.NaN);
        }
    }

    private void Save(string path, TimeSeriesData? data, int epoch, double valMae, ForecastPosition? position = null,
        IReadOnlyList<(string Name, float[] Values)>? flat = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var tensors = ModelCheckpoint.Tensors(model.Layout, model.Store.Download());
        foreach (var (name, v) in flat ?? []) tensors.Add((name, [v.LongLength], v));
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
        if (position != null) metadata[ForecastPosition.Key] = position.Serialize();
        if (data != null)
        {
            metadata["data_sha256"] = data.ContentSha256;
            metadata["source"] = data.Source;
            if (data.Sha256 != null) metadata["source_sha256"] = data.Sha256;
            metadata["rows"] = data.Length.ToString(CultureInfo.InvariantCulture);
            if (data.Times != null) metadata["last_time"] = data.Times[^1];
        }
        SafetensorsFile.Write(path, metadata, tensors);
    }

    /// <summary>Loads a forecaster written by <see cref="Save(string)"/> or by training.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="EngineException">The file is not a forecaster's checkpoint.</exception>
    public static TimeSeriesForecaster Load(string path, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var file = ForecasterFile.Read(path);
        var forecaster = new TimeSeriesForecaster(device, file.Options, file.Scaling, file.Target, file.Inputs, 1);
        try
        {
            forecaster.model.Store.Upload(forecaster.Flat(file));
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
    public void Dispose() => device.Free(ref disposed, evaluator, model);
}
