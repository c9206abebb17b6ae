using System.Globalization;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

/// <summary>
/// <c>train</c>: turns the flags into <see cref="CharTrainingOptions"/> (or, with --resume, the
/// <see cref="ResumeOptions"/> a run may change), calls <see cref="CharTraining"/>, and prints its
/// progress, the loss curve and a sample.
/// </summary>
internal static class TrainVerb
{
    public static int Run(TrainOptions o, TextWriter output)
    {
        if (o.Keep is < 0) throw new UsageException($"--keep must be 0 (none) or positive, got {o.Keep}");
        RunSummary? resumed = o.Resume is null ? null : CharTraining.Inspect(o.Resume);
        var changes = resumed is null ? null : ResumeFlags.Merge(o, resumed);
        using var device = ComputeDevice.Open(o.Accelerator);
        var options = resumed is null ? FromFlags(o, device.Description.IsCpu, output) : null;
        var saves = new SaveLog(resumed?.Step);
        using var interrupts = new Interrupts(Console.Error, saves.Describe).Listen();
        using var csv = o.Log is null ? null : CsvLog.Open(o.Log);
        var console = new ConsoleObserver(o, csv, saves);
        TrainingResult Train(TextWriter lines, Action<TrainingReport>? live)
        {
            console.Attach(lines, live);
            return resumed is null
                ? CharTraining.Train(device, options!, console, interrupts.Token)
                : CharTraining.Resume(device, o.Resume!, changes, console, interrupts.Token);
        }
        var result = LiveProgress.Available(output) ? LiveProgress.Run<TrainingResult>(Train) : Train(output, null);
        string dir = result.RunDirectory;
        if (result.Reports.Count == 0)
        {
            output.WriteLine($"nothing to do: the run already stopped at step {result.Steps}; extend it with --epochs or --max-steps");
            return ExitCodes.Success;
        }
        var lossPng = Path.Combine(dir, "loss.png");
        LossPlot.Save([RunMetrics.Read(result.Metrics)], lossPng);
        output.WriteLine($"loss curve: {lossPng} (ilgpu-lstm plot {dir} ... compares runs)");
        output.WriteLine($"stopped ({Describe(result.Reason)}) at step {result.Steps}, epoch {result.Epoch}; best val loss " +
            $"{(result.BestValLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a")}; saved {result.LatestCheckpoint} " +
            $"(continue with: train --resume {dir})");
        if (result.Reason == StopReason.Interrupted || o.SampleLength <= 0)
            output.WriteLine($"try it: ilgpu-lstm sample --checkpoint {result.LatestCheckpoint}");
        if (result.Reason == StopReason.Interrupted) return ExitCodes.Interrupted;
        if (o.SampleLength > 0)
        {
            output.WriteLine("sample (top-k 5):");
            using var trained = CharModel.Load(result.LatestCheckpoint, device);
            var sampling = new SamplingOptions { Length = o.SampleLength + 1, TopK = 5, Seed = console.Seed };
            foreach (var piece in trained.GenerateStream(console.Prime, sampling)) output.Write(piece);
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

    /// <summary>The preset (by --preset, else by device), with every given flag on top.</summary>
    private static CharTrainingOptions FromFlags(TrainOptions o, bool cpu, TextWriter output)
    {
        var preset = o.Preset is null ? (cpu ? CharTrainingOptions.CpuDefault : CharTrainingOptions.Lesson)
            : CharTrainingOptions.FindPreset(o.Preset) ?? throw new UsageException($"unknown --preset '{o.Preset}' (known: lesson, cpu-default)");
        var p = preset.Training;
        var kind = o.Optimizer?.ToLowerInvariant() switch
        {
            null => p.Optimizer.Kind,
            "adam" => OptimizerKind.Adam,
            "sgd" => OptimizerKind.Sgd,
            "rmsprop" => OptimizerKind.RmsProp,
            _ => throw new UsageException($"unknown --optimizer '{o.Optimizer}' (known: adam, sgd, rmsprop)"),
        };
        var training = p with
        {
            Epochs = o.Epochs ?? p.Epochs,
            MaxSteps = o.MaxSteps ?? p.MaxSteps,
            BatchSize = o.BatchSize ?? p.BatchSize,
            SeqLength = o.SeqLength ?? p.SeqLength,
            ValFrac = o.ValFrac ?? p.ValFrac,
            PrintEvery = o.PrintEvery ?? p.PrintEvery,
            GradClip = o.GradClip ?? p.GradClip,
            Seed = o.SeedOrDefault,
            TimeLimit = o.TimeLimit is null ? null : Duration.Parse(o.TimeLimit, "--time-limit"),
            Optimizer = new OptimizerSettings(kind, o.LearningRate ?? p.Optimizer.LearningRate, Momentum: o.Momentum ?? 0,
                WeightDecay: o.WeightDecay ?? 0),
            ValBatches = o.ValBatches ?? p.ValBatches,
            GradClamp = o.GradClamp ?? p.GradClamp,
            Patience = o.Patience ?? p.Patience,
            LrDecay = o.LrDecay ?? p.LrDecay,
            DecayAfter = o.DecayAfter ?? p.DecayAfter,
            ValEvery = o.ValEvery ?? p.ValEvery,
            SaveEvery = o.SaveEvery ?? p.SaveEvery,
        };
        var cell = ParseCell(o.Cell);
        var options = preset with
        {
            Corpus = o.Corpus ?? preset.Corpus,
            RunDirectory = o.RunDirectory,
            Cell = cell ?? preset.Cell,
            HiddenSize = o.HiddenSize ?? preset.HiddenSize,
            NumLayers = o.NumLayers ?? preset.NumLayers,
            Dropout = o.Dropout ?? preset.Dropout,
            Training = training,
            InitFrom = o.InitFrom,
            Overwrite = o.Overwrite,
            Keep = o.Keep ?? preset.Keep,
        };
        if (o.InitFrom is null) return options;
        // char-rnn's -init_from: the architecture comes from the checkpoint; say which flags that overrides.
        var c = CharModel.ReadInfo(o.InitFrom).Model;
        string architecture = $"{c.Cell.ModuleName()} {c.HiddenSize}x{c.NumLayers}";
        void Note(bool differs, string flag, object value)
        {
            if (differs)
                output.WriteLine($"note: --{flag} {value} ignored: with --init-from the architecture comes from the checkpoint ({architecture})");
        }
        Note(cell is { } given && given != c.Cell, "cell", o.Cell!);
        Note(o.HiddenSize is { } h && h != c.HiddenSize, "hidden-size", o.HiddenSize!);
        Note(o.NumLayers is { } l && l != c.NumLayers, "num-layers", o.NumLayers!);
        return options with { Dropout = o.Dropout ?? c.Dropout };
    }

    private static CellKind? ParseCell(string? text) => text is null ? null
        : CellKindExtensions.TryParse(text, out var cell) ? cell
        : throw new UsageException($"unknown --cell '{text}' (known: lstm, gru, rnn)");

    /// <summary>
    /// Prints what the run is about to do, then the lesson's line at every report: step of total,
    /// speed, gradient norm, elapsed time (across resumes) and the time left; every report also
    /// goes to --log. Checks the final sample's prime before anything is written.
    /// </summary>
    private sealed class ConsoleObserver(TrainOptions o, CsvLog? csv, SaveLog saves) : ITrainingObserver
    {
        private TextWriter output = TextWriter.Null;
        private Action<TrainingReport>? live;
        private long sessionStart;

        public string Prime { get; private set; } = o.Prime ?? "The";
        public ulong Seed { get; private set; } = o.SeedOrDefault;

        public void Attach(TextWriter lines, Action<TrainingReport>? bar)
        {
            output = lines;
            live = bar;
        }

        public void Starting(TrainingStart s)
        {
            sessionStart = s.ResumedStep ?? 0;
            saves.Directory = s.RunDirectory;
            Seed = s.Training.Seed;
            if (o.SampleLength > 0)
            {
                var vocabulary = new Vocabulary(s.Vocabulary);
                if (o.Prime != null) vocabulary.Encode(Prime, "the prime text");
                else if (Prime.EnumerateRunes().Any(r => !vocabulary.TryGetId(r.Value, out _)))
                    Prime = s.Vocabulary.FirstOrDefault(v => v.Length == 1 && char.IsLetter(v[0])) ?? s.Vocabulary[0];
            }
            var m = s.Model;
            var t = s.Training;
            output.WriteLine($"device: {Engine.Device.DeviceCatalog.Label(s.Device)}; " +
                (s.ResumedStep is { } step ? $"resuming at epoch {s.ResumedEpoch}, step {step}" : $"preset {s.Preset}"));
            output.WriteLine($"corpus {s.CorpusName}: {s.Characters:N0} characters, vocabulary {s.Vocabulary.Count}; " +
                $"train {s.TrainCharacters:N0}, validation {s.ValidationCharacters:N0}");
            output.WriteLine($"model: {m.Cell.ModuleName()} {m.HiddenSize}x{m.NumLayers}, dropout " +
                $"{m.Dropout.ToString(CultureInfo.InvariantCulture)}, {s.Parameters:N0} parameters; batch " +
                $"{t.BatchSize} x seq {t.SeqLength}, {t.Optimizer.Kind} lr " +
                $"{t.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)}, clip {t.GradClip.ToString(CultureInfo.InvariantCulture)}, " +
                $"{t.Epochs} epoch(s); checkpoints in {s.RunDirectory}");
            if (s.Device.IsCpu && m.HiddenSize >= 512 && t.BatchSize * t.SeqLength >= 12800)
                output.WriteLine("note: this is the lesson's GPU-sized model on a CPU; the pace line below says how long " +
                    "the run takes. --preset cpu-default (2 x 128) trains in minutes");
        }

        public void Note(string message) => output.WriteLine(message);

        public void Report(TrainingReport r)
        {
            csv?.Append(r);
            live?.Invoke(r);
            var val = r.ValLoss is { } v ? $"... Val Loss: {v.ToString("F4", CultureInfo.InvariantCulture)}" : "";
            var eta = r.Remaining is { } left && r.Step < r.TotalSteps ? $", ETA {Clock(left)}" : "";
            output.WriteLine($"Epoch: {r.Epoch}/{r.Epochs}... Step: {r.Step}... Loss: {r.Loss.ToString("F4", CultureInfo.InvariantCulture)}" +
                $"{val}   (step {r.Step:N0}/{r.TotalSteps:N0}, {r.TokensPerSecond.ToString("N0", CultureInfo.InvariantCulture)} tok/s, " +
                $"grad norm {r.GradNorm.ToString("F2", CultureInfo.InvariantCulture)}, {Clock(r.Elapsed)}{eta})");
        }

        public void Saved(string kind, string path, long step) => saves.Saved(kind, step);

        public void Pace(TimeSpan stepTime, long remainingSteps, bool updated) =>
            output.WriteLine($"pace (steps {Steps(updated ? 6 : 3)}-{Steps(updated ? 25 : 5)}): {stepTime.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)} ms a step; " +
                $"the {remainingSteps:N0} step{(remainingSteps == 1 ? "" : "s")} left take{(remainingSteps == 1 ? "s" : "")} about {Clock(stepTime * Math.Max(1, remainingSteps))} " +
                "plus validation (each line's ETA follows the real pace)");

        /// <summary>The run's number of this session's <paramref name="n"/>th step (a resumed run counts on from where it stopped).</summary>
        private string Steps(long n) => (sessionStart + n).ToString("N0", CultureInfo.InvariantCulture);

        private static string Clock(TimeSpan t) => t.TotalHours >= 1
            ? $"{(int)t.TotalHours}h{t.Minutes:D2}m{t.Seconds:D2}s"
            : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)}s";
    }

    /// <summary>The step of the newest resume file on disk, for the line a second Ctrl+C prints (from the signal's thread).</summary>
    private sealed class SaveLog(long? resumedStep)
    {
        private long resumeStep = resumedStep ?? -1;

        public volatile string? Directory;

        public void Saved(string kind, long step)
        {
            if (kind == "resume") Interlocked.Exchange(ref resumeStep, step);
        }

        public string Describe()
        {
            long step = Interlocked.Read(ref resumeStep);
            string dir = Directory ?? "the run directory";
            return step < 0
                ? $"this run saved nothing yet ({dir} keeps what it held before)"
                : $"kept: {dir}/latest.safetensors and resume.safetensors from step {step:N0} (continue with: train --resume {dir}; " +
                  $"try it: ilgpu-lstm sample --checkpoint {dir}/latest.safetensors)";
        }
    }
}
