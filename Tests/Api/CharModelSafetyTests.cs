namespace IlgpuLstm.Tests.Api;

/// <summary>A model shared by threads gives each what it gives alone, and a disposed model or device refuses to run.</summary>
public sealed class CharModelSafetyTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly string checkpoint;

    public CharModelSafetyTests()
    {
        var corpus = dir.File("corpus.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat; the dog ate the log.\n", 30)));
        using var device = ComputeDevice.Open(AcceleratorKind.Cpu);
        var result = CharTraining.Train(device, CharTrainingOptions.CpuDefault with
        {
            Corpus = corpus,
            RunDirectory = dir.File("run"),
            HiddenSize = 12,
            Training = TrainingOptions.CpuDefault with { BatchSize = 3, SeqLength = 7, MaxSteps = 4, PrintEvery = 2, ValBatches = 0 },
        });
        checkpoint = result.LatestCheckpoint;
    }

    private static readonly SamplingOptions Sampling = new() { Length = 40, TopK = 3, Seed = 9 };

    [Theory]
    [InlineData(AcceleratorKind.Cpu)]
    [InlineData(AcceleratorKind.IlgpuCpu)]
    public void EightThreadsOnOneModelAndTwoModelsOnOneDeviceGetTheSingleThreadedResults(AcceleratorKind kind)
    {
        using var device = ComputeDevice.Open(kind);
        using var a = CharModel.Load(checkpoint, device);
        using var b = CharModel.Load(checkpoint, device);
        double loss = a.Evaluate().Loss;
        string text = a.Generate("the ", Sampling);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var model = t % 2 == 0 ? a : b;
            for (int i = 0; i < 3; i++)
            {
                if ((t + i) % 2 == 0)
                {
                    double l = model.Evaluate().Loss;
                    if (l != loss) failures.Add($"thread {t}: loss {l}, alone {loss}");
                }
                else
                {
                    // Two streams of one thread interleaved, as two threads' streams interleave on the device.
                    using var first = model.GenerateStream("the ", Sampling).GetEnumerator();
                    using var second = model.GenerateStream("the ", Sampling).GetEnumerator();
                    var x = new System.Text.StringBuilder();
                    var y = new System.Text.StringBuilder();
                    while (first.MoveNext() & second.MoveNext())
                    {
                        x.Append(first.Current);
                        y.Append(second.Current);
                    }
                    if (x.ToString() != text || y.ToString() != text) failures.Add($"thread {t}: '{x}' / '{y}', alone '{text}'");
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromMinutes(5)), "a thread did not finish"));
        Assert.Empty(failures);
    }

    [Fact]
    public void ADisposedModelOrDeviceThrowsObjectDisposedNamingIt()
    {
        var device = ComputeDevice.Open(AcceleratorKind.Cpu);
        var model = CharModel.Load(checkpoint, device);
        var stream = model.GenerateStream("the ", Sampling);
        model.Dispose();
        model.Dispose();
        Assert.Equal(typeof(CharModel).FullName, Assert.Throws<ObjectDisposedException>(() => model.Generate("the ")).ObjectName);
        Assert.Equal(typeof(CharModel).FullName, Assert.Throws<ObjectDisposedException>(() => model.Evaluate()).ObjectName);
        Assert.Throws<ObjectDisposedException>(() => stream.ToList());

        var other = CharModel.Load(checkpoint, device);
        device.Dispose();
        device.Dispose();
        Assert.Equal(nameof(ComputeDevice), Assert.Throws<ObjectDisposedException>(() => other.Generate("the ")).ObjectName);
        Assert.Equal(nameof(ComputeDevice), Assert.Throws<ObjectDisposedException>(() => other.Evaluate()).ObjectName);
        Assert.Equal(nameof(ComputeDevice), Assert.Throws<ObjectDisposedException>(() => CharModel.Load(checkpoint, device)).ObjectName);
        other.Dispose();
    }

    [Fact]
    public void ScoresAgreeWithSamplingAndWithEachOther()
    {
        using var device = ComputeDevice.Open(AcceleratorKind.Cpu);
        using var model = CharModel.Load(checkpoint, device);
        var logits = model.NextLogits("the c");
        Assert.Equal(model.Vocabulary.Count, logits.Length);
        int argmax = Array.IndexOf(logits, logits.Max());
        Assert.Equal("the c" + model.Vocabulary[argmax], model.Generate("the c", new SamplingOptions { Length = 1, Argmax = true }));
        // Length counts the new characters; 0 gives the prime alone.
        Assert.Equal(12, model.Generate("at", new SamplingOptions { Length = 10, Seed = 4 }).Length);
        Assert.Equal("at", model.Generate("at", new SamplingOptions { Length = 0 }));
        var p = model.NextProbabilities("the c");
        Assert.Equal(1.0, p.Sum(), 12);
        Assert.Equal(argmax, Array.IndexOf(p, p.Max()));
        Assert.Equal(model.NextLogits(["the c", "a dog"])[1], model.NextLogits("a dog"));

        string text = "the dog sat on the cat.";
        double expected = Enumerable.Range(1, text.Length - 1).Sum(i => Math.Log(model.NextProbabilities(text[..i])[model.Encode(text[i..(i + 1)])[0]]));
        Assert.Equal(expected, model.LogLikelihood(text), 4);
        Assert.Equal(0, model.LogLikelihood("t"));
        Assert.Equal(text, model.Decode(model.Encode(text)));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode([model.Vocabulary.Count]));
        Assert.Throws<EngineException>(() => model.Encode("Zebra"));
        Assert.Throws<ArgumentException>(() => model.NextLogits(""));

        var copy = dir.File("copy.safetensors");
        model.Save(copy);
        Assert.Throws<IOException>(() => model.Save(copy));
        using var reloaded = CharModel.Load(copy, device);
        Assert.Equal(model.NextLogits("the c"), reloaded.NextLogits("the c"));
        Assert.Equal(model.Metadata["corpus"], reloaded.Metadata["corpus"]);
    }

    [Fact]
    public async Task AsyncCallsGiveWhatTheSyncOnesGiveAndATokenCancelledFirstWritesNothing()
    {
        using var device = ComputeDevice.Open(AcceleratorKind.Cpu);
        using var model = CharModel.Load(checkpoint, device);
        var pieces = new List<string>();
        await foreach (var piece in model.GenerateAsync("the ", Sampling)) pieces.Add(piece);
        Assert.Equal(model.Generate("the ", Sampling), string.Concat(pieces));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => model.Evaluate(null, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in model.GenerateAsync("the ", Sampling, cancelled.Token)) { }
        });
        var run = dir.File("never");
        var options = CharTrainingOptions.CpuDefault with { Corpus = dir.File("corpus.txt"), RunDirectory = run, HiddenSize = 8 };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CharTraining.TrainAsync(device, options, null, cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => CharTraining.Train(device, options, null, cancelled.Token));
        Assert.False(Directory.Exists(run));

        var trained = await CharTraining.TrainAsync(device, options with
        {
            Training = TrainingOptions.CpuDefault with { BatchSize = 3, SeqLength = 7, MaxSteps = 2, PrintEvery = 1, ValBatches = 0 },
        });
        Assert.Equal(2, trained.Steps);
    }

    public void Dispose() => dir.Dispose();
}
