namespace IlgpuLstm.Tests.Api;

/// <summary>The library API as a .NET caller uses it: train into a run directory, cancel, resume, refuse, generate, evaluate.</summary>
public sealed class CharTrainingTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly ComputeDevice device = ComputeDevice.Open(AcceleratorKind.Cpu);
    private readonly string corpus;

    public CharTrainingTests()
    {
        corpus = dir.File("corpus.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat; the dog ate the log.\n", 30)));
    }

    private CharTrainingOptions Options(string run, int maxSteps = 8) => CharTrainingOptions.CpuDefault with
    {
        Corpus = corpus,
        RunDirectory = dir.File(run),
        HiddenSize = 12,
        Dropout = 0.1,
        Training = TrainingOptions.CpuDefault with { BatchSize = 3, SeqLength = 7, MaxSteps = maxSteps, PrintEvery = 2, ValBatches = 0 },
    };

    private sealed class Events : ITrainingObserver
    {
        public List<string> Seen { get; } = [];
        public List<TrainingReport> Reports { get; } = [];
        public Action<TrainingReport>? OnReport { get; init; }

        public void Starting(TrainingStart start) => Seen.Add($"starting {start.Model.HiddenSize} {start.Vocabulary.Count}");
        public void Report(TrainingReport report)
        {
            Seen.Add($"report {report.Step}");
            Reports.Add(report);
            OnReport?.Invoke(report);
        }
        public void Saved(string kind, string path, long step) => Seen.Add($"saved {kind} {step}");
    }

    [Fact]
    public void TrainWritesTheRunDirectoryAndTellsTheObserverInOrder()
    {
        var events = new Events();
        var result = CharTraining.Train(device, Options("run"), events);
        Assert.Equal(StopReason.MaxSteps, result.Reason);
        Assert.Equal(8, result.Steps);
        Assert.StartsWith("starting 12 ", events.Seen[0], StringComparison.Ordinal);
        Assert.Equal([2, 4, 6, 8], events.Reports.Select(r => r.Step));
        Assert.Contains("saved resume 8", events.Seen);
        Assert.Contains("saved latest 8", events.Seen);
        foreach (var file in new[] { result.LatestCheckpoint, result.BestCheckpoint!, result.ResumeCheckpoint })
            Assert.True(File.Exists(file), file);
        Assert.Equal(4, File.ReadAllLines(result.Metrics).Length);
        Assert.NotNull(result.BestValLoss);

        // Without a validation split there is no best checkpoint, and none is named.
        var unvalidated = CharTraining.Train(device, Options("unvalidated") with { Training = Options("x").Training with { ValFrac = 0 } });
        Assert.Null(unvalidated.BestValLoss);
        Assert.Null(unvalidated.BestCheckpoint);
        Assert.False(File.Exists(Path.Combine(unvalidated.RunDirectory, "best.safetensors")));
    }

    [Fact]
    public void CancellingSavesAndResumeContinuesBitForBit()
    {
        var whole = CharTraining.Train(device, Options("whole"), new Events());
        using var cancel = new CancellationTokenSource();
        var stopped = CharTraining.Train(device, Options("stopped"), new Events { OnReport = r => { if (r.Step == 4) cancel.Cancel(); } },
            cancel.Token);
        // Cancelled during the report of step 4: the run stops after step 5 and saves it.
        Assert.Equal(StopReason.Interrupted, stopped.Reason);
        Assert.Equal(5, stopped.Steps);
        var summary = CharTraining.Inspect(stopped.RunDirectory);
        Assert.Equal(5, summary.Step);
        var resumed = CharTraining.Resume(device, stopped.RunDirectory, observer: new Events());
        Assert.Equal(8, resumed.Steps);
        Assert.Equal(whole.LastLoss, resumed.LastLoss);
        Assert.Equal(whole.BestValLoss, resumed.BestValLoss);
        Assert.Equal(IlgpuLstm.Engine.Checkpoints.ModelCheckpoint.Load(whole.LatestCheckpoint).Parameters,
            IlgpuLstm.Engine.Checkpoints.ModelCheckpoint.Load(resumed.LatestCheckpoint).Parameters);
    }

    [Fact]
    public void AnotherRunsDirectoryIsRefusedByOptionNameAndKeptUnlessOverwrite()
    {
        var first = CharTraining.Train(device, Options("taken", maxSteps: 2), new Events());
        var before = File.ReadAllBytes(first.LatestCheckpoint);
        var e = Assert.Throws<EngineException>(() => CharTraining.Train(device, Options("taken", maxSteps: 2), new Events()));
        Assert.Contains("holds the checkpoints of another run; continue it with Resume, train into a new RunDirectory, or replace it with Overwrite",
            e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(first.LatestCheckpoint));
        var replaced = CharTraining.Train(device, Options("taken", maxSteps: 4) with { Overwrite = true }, new Events());
        Assert.Equal(4, replaced.Steps);
    }

    private sealed class Collect : IProgress<TrainingReport>
    {
        public List<long> Steps { get; } = [];
        public void Report(TrainingReport value) => Steps.Add(value.Step);
    }

    [Fact]
    public async Task AnIProgressGetsTheReportsAndANullObserverStillCompiles()
    {
        var progress = new Collect();
        var result = CharTraining.Train(device, Options("progress"), progress);
        Assert.Equal([2, 4, 6, 8], progress.Steps);
        var later = new Collect();
        var resumed = await CharTraining.ResumeAsync(device, result.RunDirectory, new ResumeOptions { MaxSteps = 10 }, later);
        Assert.Equal([10], later.Steps);
        // Written against the observer overloads: a null observer picks them, not the IProgress ones.
        Assert.Equal(StopReason.MaxSteps, CharTraining.Train(device, Options("null"), null).Reason);
        Assert.Equal(10, CharTraining.Resume(device, resumed.RunDirectory, null, null).Steps);
        ITrainingObserver observer = new Events();
        ((IProgress<TrainingReport>)observer).Report(result.Reports[0]);
        Assert.Equal(["report 2"], ((Events)observer).Seen);
    }

    [Fact]
    public async Task TrainingBesideAModelSampledOnTheSameDeviceChangesNeither()
    {
        var first = CharTraining.Train(device, Options("first"));
        using var model = CharModel.Load(first.LatestCheckpoint, device);
        var sampling = new SamplingOptions { Length = 60, TopK = 4, Seed = 2 };
        string alone = model.Generate("the ", sampling);
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            var texts = new List<string>();
            while (!stop.IsCancellationRequested || texts.Count == 0) texts.Add(model.Generate("the ", sampling));
            return texts;
        });
        var beside = CharTraining.Train(device, Options("beside", maxSteps: 24));
        stop.Cancel();
        Assert.All(await sampler, text => Assert.Equal(alone, text));
        var solo = CharTraining.Train(device, Options("solo", maxSteps: 24));
        Assert.Equal(solo.Reports.Select(r => r.Loss), beside.Reports.Select(r => r.Loss));
        Assert.Equal(IlgpuLstm.Engine.Checkpoints.ModelCheckpoint.Load(solo.LatestCheckpoint).Parameters,
            IlgpuLstm.Engine.Checkpoints.ModelCheckpoint.Load(beside.LatestCheckpoint).Parameters);
    }

    [Fact]
    public void BadOptionsAreRefusedByPropertyName()
    {
        var bad = Options("bad") with { Training = Options("bad").Training with { BatchSize = 0 } };
        var e = Assert.Throws<OptionOutOfRangeException>(() => CharTraining.Train(device, bad));
        Assert.Equal("BatchSize must be at least 1, got 0", e.Message);
        // The framework's type, so a caller's catch (ArgumentOutOfRangeException) sees it, named by the property.
        Assert.IsAssignableFrom<ArgumentOutOfRangeException>(e);
        Assert.Equal("BatchSize", e.ParamName);
        Assert.False(Directory.Exists(dir.File("bad")));
        var keep = Assert.Throws<OptionOutOfRangeException>(() => CharTraining.Train(device, Options("bad") with { Keep = -1 }));
        Assert.StartsWith("Keep must be", keep.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateDefaultsToTheTrainingShapeAndSplitSoItMatchesTrainingsValidationLoss()
    {
        var result = CharTraining.Train(device, Options("eval"), new Events());
        using var model = CharModel.Load(result.BestCheckpoint!, device);
        var evaluation = model.Evaluate();
        Assert.True(evaluation.FromTraining);
        Assert.Equal((3, 7), (evaluation.BatchSize, evaluation.SeqLength));
        Assert.Equal(result.BestValLoss!.Value, evaluation.Loss, 1e-9);
        Assert.Equal(evaluation.Loss / Math.Log(2), evaluation.BitsPerCharacter, 1e-12);
        // Asking for more batches than the split holds uses them all and says so.
        var capped = model.Evaluate(new EvaluationOptions { Batches = 1000 });
        Assert.Equal(capped.BatchesAvailable, capped.BatchesUsed);
        Assert.Equal(1000, capped.BatchesRequested);
    }

    [Fact]
    public void GenerateIsTheStreamAndTopPNarrowsTheDraw()
    {
        var result = CharTraining.Train(device, Options("gen"), new Events());
        using var model = CharModel.Load(result.LatestCheckpoint, device);
        var options = new SamplingOptions { Length = 40, TopK = 5, Seed = 3 };
        var text = model.Generate("the ", options);
        Assert.Equal(text, string.Concat(model.GenerateStream("the ", options)));
        Assert.Equal("the ".Length + 40, text.Length);
        Assert.Equal(text, model.Generate("the ", options));
        // A nucleus smaller than any one character's probability keeps only the most probable: argmax.
        Assert.Equal(model.Generate("the ", new SamplingOptions { Length = 40, Argmax = true }),
            model.Generate("the ", new SamplingOptions { Length = 40, TopP = 1e-9, Seed = 5 }));
        // p = 1 keeps everything: the same draws as no cut.
        Assert.Equal(model.Generate("the ", new SamplingOptions { Length = 40, Seed = 5 }),
            model.Generate("the ", new SamplingOptions { Length = 40, TopP = 1, Seed = 5 }));
        var e = Assert.Throws<OptionOutOfRangeException>(() => model.Generate("the ", new SamplingOptions { TopP = 0 }));
        Assert.StartsWith("TopP must be in (0, 1]", e.Message, StringComparison.Ordinal);
        Assert.Throws<EngineException>(() => model.Generate("Zebra", options));
    }

    [Fact]
    public void TheTimeSeriesLessonLearns()
    {
        using var lesson = new TimeSeriesLesson(device, new TimeSeriesOptions { Steps = 40, PrintEvery = 10 });
        Assert.Equal(1153, lesson.Parameters);
        var outcome = lesson.Train();
        Assert.Equal(4, outcome.Reports.Count);
        Assert.True(outcome.Losses[^1] < outcome.Losses[0] / 10, $"{outcome.Losses[0]} -> {outcome.Losses[^1]}");

        // A token stops it after the step it was cancelled in; cancelled first, nothing runs; disposed, it refuses.
        using var other = new TimeSeriesLesson(device, new TimeSeriesOptions { Steps = 40, PrintEvery = 10 });
        using var cancel = new CancellationTokenSource();
        var stopped = other.Train(r => { if (r.Step == 10) cancel.Cancel(); }, cancel.Token);
        Assert.Equal(11, stopped.Losses.Length);
        Assert.Equal(outcome.Losses[..11], stopped.Losses);
        Assert.Throws<OperationCanceledException>(() => other.Train(null, cancel.Token));
        other.Dispose();
        Assert.Throws<ObjectDisposedException>(() => other.Train());
    }

    public void Dispose()
    {
        device.Dispose();
        dir.Dispose();
    }
}
