using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Sampling;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

public static class TrainVerb
{
    public static int Run(TrainOptions o, TextWriter output)
    {
        ResumePoint? resume = null;
        if (o.Resume != null)
        {
            // The run's directory, or a file of it holding the step the run stopped at (resume, latest).
            string? given = File.Exists(o.Resume) ? o.Resume : null;
            if (given != null) o.Resume = Path.GetDirectoryName(Path.GetFullPath(o.Resume))!;
            var file = Path.Combine(o.Resume, CheckpointPlan.ResumeName);
            if (!File.Exists(file))
                throw new EngineException($"cannot resume: '{file}' does not exist (is '{o.Resume}' a checkpoint directory of a run?)");
            resume = ResumeCheckpoint.Load(file);
            // Never continue from another file than the one named: best and epoch checkpoints are
            // earlier points of the run and hold no optimizer state.
            if (given != null && Path.GetFileName(given) != CheckpointPlan.ResumeName &&
                SafetensorsFile.Open(given).Metadata.GetValueOrDefault("step") is var step &&
                step != resume.Position.Step.ToString(CultureInfo.InvariantCulture))
                throw new EngineException($"cannot resume from '{given}': it holds the weights of step {step ?? "?"}, but the run " +
                    $"continues from step {resume.Position.Step} ({file}); give the directory to continue the run, or " +
                    $"--init-from {given} with a new --checkpoint-dir to train on from those weights with a fresh optimizer");
        }
        using var device = ComputeDevice.Open(o.Accelerator);
        // Any CPU, an OpenCL one (pocl) included, gets the CPU's preset: the lesson's takes hours there.
        bool cpu = device.Description.IsCpu;
        var preset = o.Preset is null ? (cpu ? TrainPreset.CpuDefault : TrainPreset.Lesson)
            : TrainPreset.Find(o.Preset) ?? throw new UsageException($"unknown --preset '{o.Preset}' (known: lesson, cpu-default)");
        var trainConfig = resume != null ? ResumeFlags.Merge(o, resume) : TrainFromFlags(o, preset);
        trainConfig.Validate();
        string corpusSpec = resume?.Corpus ?? o.Corpus ?? "anna";
        var (path, corpusName) = CorpusResolver.FromEnvironment().Resolve(corpusSpec);
        // Checkpoints name the corpus so that eval and resume find it again from anywhere: the
        // manifest name, or the file's absolute path.
        if (CorpusManifest.Find(corpusSpec) is null) corpusSpec = Path.GetFullPath(path);
        LoadedModel? start = resume?.Model ?? (o.InitFrom is null ? null : ModelCheckpoint.Load(o.InitFrom));
        EncodedCorpus corpus;
        try
        {
            corpus = CorpusReader.Read(path, corpusName, start?.Vocabulary);
        }
        catch (EngineException e) when (start != null && e.Message.Contains("not in the model's vocabulary", StringComparison.Ordinal))
        {
            throw new EngineException(resume != null
                ? $"cannot resume: corpus '{path}' has changed since the run started ({e.Message})"
                : $"cannot fine-tune {o.InitFrom} on this corpus: {e.Message}");
        }
        var corpusSha = corpus.Sha256!;
        if (resume != null && resume.CorpusSha256 != corpusSha)
            throw new EngineException($"cannot resume: corpus '{path}' has changed since the run started (sha256 {corpusSha}, the run used {resume.CorpusSha256})");
        var vocabulary = corpus.Vocabulary;
        var modelConfig = resume != null ? resume.Model.Config
            : start is null ? ModelFromFlags(o, preset, vocabulary) : ModelFromCheckpoint(o, start, output);
        var (train, validation) = corpus.Split(trainConfig.ValFrac);
        // Checked before training, so a bad --prime is refused in seconds, not after the run.
        string prime = o.Prime ?? "The";
        if (o.SampleLength > 0)
        {
            if (o.Prime != null) vocabulary.Encode(prime, "the prime text");
            else if (prime.EnumerateRunes().Any(r => !vocabulary.Symbols.Contains(r.ToString())))
                prime = vocabulary.Decode(corpus.Ids[0]);
        }

        var dir = o.CheckpointDir ?? o.Resume ?? Path.Combine("checkpoints",
            $"{corpusName}-{modelConfig.Cell.ModuleName()}-{modelConfig.HiddenSize}x{modelConfig.NumLayers}");
        if (o.Keep is < 0) throw new UsageException($"--keep must be 0 (none) or positive, got {o.Keep}");
        // One run per directory: locked before anything is written, held to the end, released by
        // the OS however this process ends. The checks below then cannot race another start.
        using var runLock = RunDirectoryLock.Acquire(dir);
        var debris = runLock.RemoveDebris();
        if (debris.Count > 0)
            output.WriteLine($"removed {debris.Count} temporary file{(debris.Count == 1 ? "" : "s")} left in {dir} by killed runs");
        // Never replace another run's checkpoints unasked.
        if (resume == null && !o.Overwrite && CheckpointPlan.HoldsRun(dir))
            throw new EngineException($"'{dir}' holds the checkpoints of another run; continue it with --resume {dir}, " +
                "train into a new --checkpoint-dir, or replace it with --overwrite");
        var plan = new CheckpointPlan(dir, new Dictionary<string, string>
        {
            ["corpus"] = corpusSpec,
            ["options"] = JsonSerializer.Serialize(new { preset = resume != null ? "resumed" : preset.Name, trainConfig, initFrom = o.InitFrom }),
            ["created"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        }, corpusSpec, corpusSha, o.Keep ?? 3);

        using var model = new CharRnn(device, modelConfig);
        if (start != null) model.Store.Upload(start.Parameters);
        else model.Initialize(trainConfig.Seed);
        if (resume != null)
        {
            model.Store.UploadMoment(1, resume.Moment1);
            model.Store.UploadMoment(2, resume.Moment2);
        }
        output.WriteLine($"device: {device.Description.Name} ({DeviceCatalog.Describe(device.Description.Kind)}); " +
            (resume != null ? $"resuming at epoch {resume.Position.Epoch}, step {resume.Position.Step}" : $"preset {preset.Name}"));
        output.WriteLine($"corpus {corpusName}: {corpus.Characters:N0} characters, vocabulary {vocabulary.Count}; " +
            $"train {train.Length:N0}, validation {validation.Length:N0}");
        output.WriteLine($"model: {modelConfig.Cell.ModuleName()} {modelConfig.HiddenSize}x{modelConfig.NumLayers}, dropout " +
            $"{modelConfig.Dropout.ToString(CultureInfo.InvariantCulture)}, {model.Layout.Count:N0} parameters; batch " +
            $"{trainConfig.BatchSize} x seq {trainConfig.SeqLength}, {trainConfig.Optimizer.Kind} lr " +
            $"{trainConfig.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)}, clip {trainConfig.GradClip.ToString(CultureInfo.InvariantCulture)}, " +
            $"{trainConfig.Epochs} epoch(s); checkpoints in {dir}");

        if (cpu && modelConfig.HiddenSize >= 512 && trainConfig.BatchSize * trainConfig.SeqLength >= 12800)
            output.WriteLine("note: this is the lesson's GPU-sized model on a CPU; the pace line below says how long " +
                "the run takes. --preset cpu-default (2 x 128) trains in minutes");
        var saves = new SaveLog(dir, resume?.Position.Step);
        using var interrupts = new Interrupts(Console.Error, saves.Describe).Listen();
        using var csv = o.Log is null ? null : CsvLog.Open(o.Log);
        using var metrics = new MetricsLog(plan.Metrics, append: resume != null);
        TrainingOutcome Train(TextWriter lines, Action<TrainingReport>? live) =>
            new Trainer(model, trainConfig, vocabulary, plan, new ConsoleObserver(lines, csv, metrics, live, saves))
                .Run(train, validation, interrupts.Token, resume);
        var outcome = LiveProgress.Available(output) ? LiveProgress.Run<TrainingOutcome>(Train) : Train(output, null);
        metrics.Dispose();
        if (outcome.Reports.Count > 0)
        {
            var lossPng = Path.Combine(dir, "loss.png");
            LossPlot.Save([RunMetrics.Read(plan.Metrics)], lossPng);
            output.WriteLine($"loss curve: {lossPng} (ilgpu-lstm plot {dir} ... compares runs)");
        }
        if (outcome.Reports.Count == 0)
        {
            output.WriteLine($"nothing to do: the run already stopped at step {outcome.Steps}; extend it with --epochs or --max-steps");
            return ExitCodes.Success;
        }
        output.WriteLine($"stopped ({Describe(outcome.Reason)}) at step {outcome.Steps}, epoch {outcome.Epoch}; best val loss " +
            $"{(outcome.BestValLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a")}; saved {plan.Latest} " +
            $"(continue with: train --resume {dir})");
        if (outcome.Reason == StopReason.Interrupted) return ExitCodes.Interrupted;

        if (o.SampleLength > 0)
        {
            output.WriteLine("sample (top-k 5):");
            new Sampler(model, vocabulary).Sample(prime, new SamplingOptions(o.SampleLength, 5, 1.0, false, trainConfig.Seed),
                output.Write);
            output.WriteLine();
        }
        return ExitCodes.Success;
    }

    private static string Describe(StopReason reason) => reason switch
    {
        StopReason.Completed => "all epochs done",
        StopReason.MaxSteps => "--max-steps reached",
        StopReason.TimeLimit => "--time-limit reached",
        StopReason.EarlyStop => "no better validation loss for --patience validations",
        _ => "interrupted",
    };

    private static ModelConfig ModelFromFlags(TrainOptions o, TrainPreset p, Vocabulary vocabulary)
    {
        var config = new ModelConfig(ParseCell(o.Cell) ?? p.Cell, vocabulary.Count, o.HiddenSize ?? p.HiddenSize,
            o.NumLayers ?? p.NumLayers, (float)(o.Dropout ?? p.Dropout));
        config.Validate();
        return config;
    }

    /// <summary>char-rnn's -init_from: the architecture comes from the checkpoint; say which flags it overrode.</summary>
    private static ModelConfig ModelFromCheckpoint(TrainOptions o, LoadedModel start, TextWriter output)
    {
        var c = start.Config;
        void Note(bool differs, string flag, object value)
        {
            if (differs) output.WriteLine($"note: --{flag} ignored; using the checkpoint's {value}");
        }
        Note(ParseCell(o.Cell) is { } cell && cell != c.Cell, "cell", c.Cell.ModuleName());
        Note(o.HiddenSize is { } h && h != c.HiddenSize, "hidden-size", c.HiddenSize);
        Note(o.NumLayers is { } l && l != c.NumLayers, "num-layers", c.NumLayers);
        var config = o.Dropout is { } d ? c with { Dropout = (float)d } : c;
        config.Validate();
        return config;
    }

    private static TrainConfig TrainFromFlags(TrainOptions o, TrainPreset p)
    {
        var kind = o.Optimizer?.ToLowerInvariant() switch
        {
            null => p.Optimizer,
            "adam" => OptimizerKind.Adam,
            "sgd" => OptimizerKind.Sgd,
            "rmsprop" => OptimizerKind.RmsProp,
            _ => throw new UsageException($"unknown --optimizer '{o.Optimizer}' (known: adam, sgd, rmsprop)"),
        };
        var optimizer = new OptimizerSettings(kind, o.LearningRate ?? p.LearningRate, Momentum: o.Momentum ?? 0);
        return new TrainConfig(o.Epochs ?? p.Epochs, o.MaxSteps ?? 0, o.BatchSize ?? p.BatchSize, o.SeqLength ?? p.SeqLength,
            o.ValFrac ?? p.ValFrac, o.PrintEvery ?? p.PrintEvery, o.GradClip ?? p.GradClip, o.Seed ?? 1,
            o.TimeLimit is null ? null : Duration.Parse(o.TimeLimit, "--time-limit"), optimizer, o.ValBatches ?? p.ValBatches,
            o.GradClamp ?? 0, o.Patience ?? 0, o.LrDecay ?? 1, o.DecayAfter ?? 10, o.ValEvery ?? 0, o.SaveEvery ?? 0);
    }

    private static CellKind? ParseCell(string? text) => text is null ? null
        : CellKindExtensions.TryParse(text, out var cell) ? cell
        : throw new UsageException($"unknown --cell '{text}' (known: lstm, gru, rnn)");

    /// <summary>
    /// The lesson's line, then step of total, speed, gradient norm, elapsed time (across resumes)
    /// and the estimated time left; every report also goes to metrics.jsonl and --log.
    /// </summary>
    private sealed class ConsoleObserver(TextWriter output, CsvLog? csv, MetricsLog metrics, Action<TrainingReport>? live,
        SaveLog saves) : ITrainingObserver
    {
        public void Report(TrainingReport r)
        {
            csv?.Append(r);
            metrics.Append(r);
            live?.Invoke(r);
            var val = r.ValLoss is { } v ? $"... Val Loss: {v.ToString("F4", CultureInfo.InvariantCulture)}" : "";
            var eta = r.Remaining is { } left && r.Step < r.TotalSteps ? $", ETA {Clock(left)}" : "";
            output.WriteLine($"Epoch: {r.Epoch}/{r.Epochs}... Step: {r.Step}... Loss: {r.Loss.ToString("F4", CultureInfo.InvariantCulture)}" +
                $"{val}   (step {r.Step:N0}/{r.TotalSteps:N0}, {r.TokensPerSecond.ToString("N0", CultureInfo.InvariantCulture)} tok/s, " +
                $"grad norm {r.GradNorm.ToString("F2", CultureInfo.InvariantCulture)}, {Clock(r.Elapsed)}{eta})");
        }

        public void Saved(string kind, string path, long step) => saves.Saved(kind, step);

        public void FirstStep(TimeSpan stepTime, long remainingSteps) =>
            output.WriteLine($"pace: {stepTime.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)} ms a step; " +
                $"the {remainingSteps:N0} steps left take about {Clock(stepTime * Math.Max(1, remainingSteps))} " +
                "plus validation (each line's ETA follows the real pace)");

        private static string Clock(TimeSpan t) => t.TotalHours >= 1
            ? $"{(int)t.TotalHours}h{t.Minutes:D2}m{t.Seconds:D2}s"
            : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)}s";
    }

    /// <summary>The step of the newest resume file on disk, for the line a second Ctrl+C prints (from the signal's thread).</summary>
    private sealed class SaveLog(string directory, long? resumedStep)
    {
        private long resumeStep = resumedStep ?? -1;

        public void Saved(string kind, long step)
        {
            if (kind == "resume") Interlocked.Exchange(ref resumeStep, step);
        }

        public string Describe()
        {
            long step = Interlocked.Read(ref resumeStep);
            return step < 0
                ? $"this run saved nothing yet ({directory} keeps what it held before)"
                : $"kept: {directory}/latest.safetensors and resume.safetensors from step {step:N0} (continue with: train --resume {directory})";
        }
    }
}
