using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm;

/// <summary>
/// Trains character-level models into run directories, as the <c>train</c> command does: one run
/// per directory (locked while it trains), checkpoints under PyTorch's names (latest, best,
/// resume, the last epochs), <c>metrics.jsonl</c>, a stop on a diverging loss, and exact resume.
/// Nothing a caller made is replaced unasked.
/// </summary>
public static class CharTraining
{
    /// <summary>Trains on the accelerator <see cref="AcceleratorKind.Auto"/> picks.</summary>
    public static TrainingResult Train(CharTrainingOptions options, ITrainingObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var device = ComputeDevice.Open(AcceleratorKind.Auto);
        return Train(device, options, observer, cancellationToken);
    }

    /// <summary>
    /// <see cref="Train(ComputeDevice, CharTrainingOptions, ITrainingObserver?, CancellationToken)"/> on a
    /// thread of its own; the task ends with the run. A token cancelled before the start cancels the
    /// task without writing anything; cancelled later, the run saves after its step and the task
    /// returns its result (<see cref="StopReason.Interrupted"/>).
    /// </summary>
    public static Task<TrainingResult> TrainAsync(ComputeDevice device, CharTrainingOptions options, ITrainingObserver? observer = null,
        CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Train(device, options, observer, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary><see cref="Resume(ComputeDevice, string, ResumeOptions?, ITrainingObserver?, CancellationToken)"/> on a thread of its own, as <see cref="TrainAsync(ComputeDevice, CharTrainingOptions, ITrainingObserver?, CancellationToken)"/>.</summary>
    public static Task<TrainingResult> ResumeAsync(ComputeDevice device, string run, ResumeOptions? changes = null,
        ITrainingObserver? observer = null, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Resume(device, run, changes, observer, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// <see cref="Train(ComputeDevice, CharTrainingOptions, ITrainingObserver?, CancellationToken)"/>
    /// with its reports given to <paramref name="progress"/> (a <see cref="Progress{T}"/> posts them to
    /// the context it was made on, such as a UI thread).
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before the run started; nothing was written.</exception>
    public static TrainingResult Train(ComputeDevice device, CharTrainingOptions options, IProgress<TrainingReport> progress,
        CancellationToken cancellationToken = default) =>
        Train(device, options, Observe(progress), cancellationToken);

    /// <summary>
    /// <see cref="TrainAsync(ComputeDevice, CharTrainingOptions, ITrainingObserver?, CancellationToken)"/>
    /// with its reports given to <paramref name="progress"/>.
    /// </summary>
    public static Task<TrainingResult> TrainAsync(ComputeDevice device, CharTrainingOptions options, IProgress<TrainingReport> progress,
        CancellationToken cancellationToken = default) =>
        TrainAsync(device, options, Observe(progress), cancellationToken);

    /// <summary>
    /// <see cref="Resume(ComputeDevice, string, ResumeOptions?, ITrainingObserver?, CancellationToken)"/>
    /// with its reports given to <paramref name="progress"/>.
    /// </summary>
    public static TrainingResult Resume(ComputeDevice device, string run, ResumeOptions? changes, IProgress<TrainingReport> progress,
        CancellationToken cancellationToken = default) =>
        Resume(device, run, changes, Observe(progress), cancellationToken);

    /// <summary>
    /// <see cref="ResumeAsync(ComputeDevice, string, ResumeOptions?, ITrainingObserver?, CancellationToken)"/>
    /// with its reports given to <paramref name="progress"/>.
    /// </summary>
    public static Task<TrainingResult> ResumeAsync(ComputeDevice device, string run, ResumeOptions? changes,
        IProgress<TrainingReport> progress, CancellationToken cancellationToken = default) =>
        ResumeAsync(device, run, changes, Observe(progress), cancellationToken);

    private static ITrainingObserver Observe(IProgress<TrainingReport> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return progress as ITrainingObserver ?? new TrainingCallbacks { OnReport = progress.Report };
    }

    /// <summary>
    /// A new run (or, with <see cref="CharTrainingOptions.InitFrom"/>, one that starts from another's
    /// weights). Returns when it stops: all epochs done, a limit reached, or <paramref name="cancellationToken"/>
    /// cancelled (it then saves after the current step).
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before the run started; nothing was written.</exception>
    /// <exception cref="OptionOutOfRangeException">An option is out of its range (named by <see cref="ArgumentException.ParamName"/>).</exception>
    /// <exception cref="FileNotFoundException">The corpus file (or <see cref="CharTrainingOptions.InitFrom"/>) does not exist.</exception>
    /// <exception cref="EngineException">The corpus cannot be used (empty, too short, not UTF-8, offline without a copy), the run directory holds another run, or training diverged.</exception>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public static TrainingResult Train(ComputeDevice device, CharTrainingOptions options, ITrainingObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var cancel = cancellationToken;
        options.Training.Validate();
        if (options.Keep < 0) throw new OptionOutOfRangeException("Keep", $"Keep must be 0 (none) or positive, got {options.Keep}");
        var start = options.InitFrom is null ? null : ModelCheckpoint.Load(options.InitFrom);
        var corpus = options.Text is { } given ? CorpusSource.Of(given) : CorpusSource.Of(options.Corpus);
        EncodedCorpus text;
        try
        {
            text = corpus.Read(start?.Vocabulary);
        }
        catch (EngineException e) when (start != null && e.Message.Contains("not in the model's vocabulary", StringComparison.Ordinal))
        {
            throw new EngineException($"cannot fine-tune {options.InitFrom} on this corpus: {e.Message}");
        }
        var model = start is null
            ? new ModelConfig(options.Cell, text.Vocabulary.Count, options.HiddenSize, options.NumLayers, options.Dropout)
            : start.Config with { Dropout = options.Dropout };
        model.Validate();
        var metadata = new Dictionary<string, string>
        {
            ["corpus"] = corpus.Spec,
            ["corpus_sha256"] = text.Sha256!,
            [RunOptionsMetadata.Key] = new RunOptionsMetadata(options.Preset, options.Training, options.InitFrom).Serialize(),
            ["created"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        var run = new RunSetup(corpus.Name, text, model, options.Training,
            options.RunDirectory ?? CharTrainingOptions.DefaultRunDirectory(corpus.Name, model), options.Preset, metadata,
            options.Keep, start?.Parameters, null, options.Overwrite);
        return Run(device, run, observer, cancel);
    }

    /// <summary>
    /// Continues a stopped run exactly where it stopped (weights, optimizer moments, carried hidden
    /// state, data position, dropout stream): the same losses, bit for bit, as if it had not
    /// stopped. <paramref name="run"/> is its directory, or its resume or latest checkpoint; an
    /// earlier checkpoint (best, an epoch's) is refused, since the run does not continue from it.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before the run started; nothing was written.</exception>
    /// <exception cref="FileNotFoundException">The run has no resume checkpoint.</exception>
    /// <exception cref="OptionOutOfRangeException">A changed option is out of its range.</exception>
    /// <exception cref="EngineException">The corpus is gone or is not the run's (by sha256), the run names a text given in memory and none was given, or the checkpoint is not one to continue from.</exception>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public static TrainingResult Resume(ComputeDevice device, string run, ResumeOptions? changes = null,
        ITrainingObserver? observer = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cancel = cancellationToken;
        var summary = Inspect(run);
        var point = ResumeCheckpoint.Load(summary.ResumeFile);
        var training = (changes ?? new ResumeOptions()).ApplyTo(point.Config);
        training.Validate();
        // Content, not place, makes the corpus the run's: a moved file resumes from its new path.
        if (changes?.Text is null && changes?.Corpus is null && CorpusSource.IsMemory(point.Corpus))
            throw new EngineException($"cannot resume: the run trained on a text given in memory ('{point.Corpus[CorpusSource.MemoryPrefix.Length..]}'); " +
                $"give it again (ResumeOptions.Text) or a file of it (ResumeOptions.Corpus, train --resume {summary.Directory} --corpus PATH): " +
                $"its sha256 must be {point.CorpusSha256}");
        var corpus = changes?.Text is { } given ? CorpusSource.Of(given)
            : changes?.Corpus is { } moved ? CorpusSource.Of(moved) : CorpusSource.Of(point.Corpus);
        if (changes?.Text is null && changes?.Corpus is null && CorpusManifest.Find(point.Corpus) is null && !File.Exists(corpus.Path))
            throw new EngineException($"cannot resume: the run's corpus '{point.Corpus}' no longer exists; if it moved, give its new " +
                $"place (train --resume {summary.Directory} --corpus NEWPATH, or ResumeOptions.Corpus): its sha256 must be {point.CorpusSha256}");
        string path = corpus.Path ?? corpus.Name, name = corpus.Name;
        EncodedCorpus text;
        try
        {
            text = corpus.Read(point.Model.Vocabulary);
        }
        catch (EngineException e) when (e.Message.Contains("not in the model's vocabulary", StringComparison.Ordinal))
        {
            throw NotTheRunsCorpus(corpus.Sha256(), e.Message);
        }
        if (point.CorpusSha256 != text.Sha256) throw NotTheRunsCorpus(text.Sha256!, null);
        EngineException NotTheRunsCorpus(string sha256, string? detail) => new(
            (changes?.Corpus is null && changes?.Text is null
                ? $"cannot resume: corpus '{path}' has changed since the run started"
                : $"cannot resume: corpus '{path}' is not the run's corpus '{point.Corpus}'") +
            $" (sha256 {sha256}, the run used {point.CorpusSha256}{(detail is null ? "" : "; " + detail)}); a run continues only on the text it started on");
        // The run keeps the options and creation time it started with; the checkpoints say when it resumed.
        var meta = point.Model.Metadata;
        var metadata = new Dictionary<string, string>
        {
            ["corpus"] = corpus.Spec,
            ["corpus_sha256"] = text.Sha256!,
            [RunOptionsMetadata.Key] = meta.GetValueOrDefault(RunOptionsMetadata.Key) ?? new RunOptionsMetadata("unknown", point.Config, null).Serialize(),
            ["created"] = meta.GetValueOrDefault("created") ?? "",
            ["resumed"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        string preset = RunOptionsMetadata.Read(meta)?.Preset ?? "unknown";
        var setup = new RunSetup(name, text, point.Model.Config, training, summary.Directory, preset, metadata,
            (changes?.Keep ?? 3) is var keep && keep >= 0 ? keep : throw new OptionOutOfRangeException("Keep", $"Keep must be 0 (none) or positive, got {keep}"),
            point.Model.Parameters, point, Overwrite: false);
        return Run(device, setup, observer, cancel);
    }

    /// <summary>
    /// The run that <see cref="Resume(ComputeDevice, string, ResumeOptions?, ITrainingObserver?, CancellationToken)"/> would continue: <paramref name="run"/> is its directory or
    /// its resume or latest checkpoint. Reads metadata only.
    /// </summary>
    public static RunSummary Inspect(string run)
    {
        ArgumentNullException.ThrowIfNull(run);
        string? given = File.Exists(run) ? run : null;
        string directory = given != null ? Path.GetDirectoryName(Path.GetFullPath(run))! : run;
        var file = Path.Combine(directory, CheckpointPlan.ResumeName);
        if (!File.Exists(file))
            throw new FileNotFoundException($"cannot resume: '{file}' does not exist (is '{directory}' a checkpoint directory of a run?)", file);
        var point = ResumeCheckpoint.ReadHeader(file);
        // Never continue from another file than the one named: best and epoch checkpoints are
        // earlier points of the run and hold no optimizer state.
        if (given != null && Path.GetFileName(given) != CheckpointPlan.ResumeName &&
            SafetensorsFile.Open(given).Metadata.GetValueOrDefault("step") is var step &&
            step != point.Position.Step.ToString(CultureInfo.InvariantCulture))
            throw new EngineException($"cannot resume from '{given}': it holds the weights of step {step ?? "?"}, but the run " +
                $"continues from step {point.Position.Step} ({file}); give the directory to continue the run, or " +
                $"InitFrom {given} with a new RunDirectory to train on from those weights with a fresh optimizer");
        return new RunSummary(directory, file, point.Model, point.Config, point.Corpus, point.Position.Epoch, point.Position.Step);
    }

    /// <summary>Everything a new or resumed run needs once its corpus is read and its options are checked.</summary>
    private sealed record RunSetup(string CorpusName, EncodedCorpus Text, ModelConfig Model, TrainingOptions Training,
        string Directory, string Preset, Dictionary<string, string> Metadata, int Keep, float[]? Weights, ResumePoint? Point,
        bool Overwrite);

    private static TrainingResult Run(ComputeDevice device, RunSetup run, ITrainingObserver? observer, CancellationToken cancel)
    {
        observer ??= new TrainingCallbacks();
        var (train, validation) = run.Text.Split(run.Training.ValFrac);
        var layout = CharRnn.CreateLayout(run.Model);
        observer.Starting(new TrainingStart(device.Description, run.CorpusName, run.Text.Characters, run.Text.Vocabulary.Symbols,
            train.Length, validation.Length, run.Model, layout.Count, run.Training, run.Directory, run.Preset,
            run.Point?.Position.Step, run.Point?.Position.Epoch));

        // One run per directory: locked before anything is written, held to the end, released by
        // the OS however this process ends. The checks below then cannot race another start.
        using var runLock = RunDirectoryLock.Acquire(run.Directory);
        var debris = runLock.RemoveDebris();
        if (debris.Count > 0)
            observer.Note($"removed {debris.Count} temporary file{(debris.Count == 1 ? "" : "s")} left in {run.Directory} by killed runs");
        if (run.Point == null && !run.Overwrite && CheckpointPlan.HoldsRun(run.Directory))
            throw new EngineException($"'{run.Directory}' holds the checkpoints of another run; continue it with Resume, " +
                "train into a new RunDirectory, or replace it with Overwrite");
        var plan = new CheckpointPlan(run.Directory, run.Metadata, run.Metadata["corpus"], run.Text.Sha256!, run.Keep);

        using var model = NewModel(device, run);
        using var metrics = new MetricsLog(plan.Metrics, append: run.Point != null);
        var outcome = new Trainer(model, run.Training, run.Text.Vocabulary, plan, new MetricsObserver(observer, metrics))
            .Run(train, validation, cancel, run.Point);
        return new TrainingResult(outcome.Reason, outcome.Steps, outcome.Epoch, outcome.LastLoss, outcome.BestValLoss,
            outcome.Reports, run.Directory);
    }

    /// <summary>The run's model on the device, made under the device's gate (another thread may be sampling there).</summary>
    private static CharRnn NewModel(ComputeDevice device, RunSetup run)
    {
        lock (device.Gate)
        {
            device.ThrowIfDisposed();
            var model = new CharRnn(device, run.Model);
            if (run.Weights != null) model.Store.Upload(run.Weights);
            else model.Initialize(run.Training.Seed);
            if (run.Point != null)
            {
                model.Store.UploadMoment(1, run.Point.Moment1);
                model.Store.UploadMoment(2, run.Point.Moment2);
            }
            return model;
        }
    }

    /// <summary>Writes every report to metrics.jsonl before the caller's observer sees it.</summary>
    private sealed class MetricsObserver(ITrainingObserver inner, MetricsLog metrics) : ITrainingObserver
    {
        public void Report(TrainingReport report)
        {
            metrics.Append(report);
            inner.Report(report);
        }

        public void Saved(string kind, string path, long step) => inner.Saved(kind, path, step);
        public void Pace(TimeSpan stepTime, long remainingSteps, bool updated) => inner.Pace(stepTime, remainingSteps, updated);
        public void Note(string message) => inner.Note(message);
    }
}
