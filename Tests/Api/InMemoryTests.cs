using IlgpuLstm.Engine.Checkpoints;

namespace IlgpuLstm.Tests.Api;

/// <summary>Training from text in memory, and models saved to and loaded from streams.</summary>
public sealed class InMemoryTests : IDisposable
{
    private const string Line = "the cat sat on the mat; the dog ate the log.\r\n";
    private static readonly string Text = string.Concat(Enumerable.Repeat(Line, 30));
    private readonly TempDirectory dir = new();
    private readonly ComputeDevice device = ComputeDevice.Open(AcceleratorKind.Cpu);

    private CharTrainingOptions Options(string run, TrainingText? text, int maxSteps = 8) => CharTrainingOptions.CpuDefault with
    {
        Corpus = dir.File("corpus.txt"),
        Text = text,
        RunDirectory = dir.File(run),
        HiddenSize = 12,
        Dropout = 0.1,
        Training = TrainingOptions.CpuDefault with { BatchSize = 3, SeqLength = 7, MaxSteps = maxSteps, PrintEvery = 2, ValBatches = 0 },
    };

    private static double?[] Losses(TrainingResult result) => [.. result.Reports.Select(r => r.Loss)];

    [Fact]
    public void EveryKindOfTextTrainsAsAFileOfTheSameBytes()
    {
        File.WriteAllText(dir.File("corpus.txt"), Text);
        var fromFile = CharTraining.Train(device, Options("file", null));
        var bytes = System.Text.Encoding.UTF8.GetBytes(Text);
        var texts = new[]
        {
            TrainingText.FromString(Text),
            TrainingText.FromReader(new StringReader(Text)),
            TrainingText.FromStream(new MemoryStream(bytes)),
            TrainingText.FromDocuments(Enumerable.Repeat(Line.TrimEnd('\n'), 30), separator: "\n", name: "lines"),
        };
        var fileSha = CharModel.ReadInfo(fromFile.LatestCheckpoint).Metadata["corpus_sha256"];
        for (int i = 0; i < texts.Length; i++)
        {
            var result = CharTraining.Train(device, Options($"memory{i}", texts[i]));
            Assert.Equal(Losses(fromFile), Losses(result));
            Assert.Equal(ModelCheckpoint.Load(fromFile.LatestCheckpoint).Parameters, ModelCheckpoint.Load(result.LatestCheckpoint).Parameters);
            var meta = CharModel.ReadInfo(result.LatestCheckpoint).Metadata;
            Assert.Equal("memory:" + texts[i].Name, meta["corpus"]);
            // The documents lack the last line's final newline, so their bytes (and checksum) differ from the file's.
            if (i < 3) Assert.Equal(fileSha, meta["corpus_sha256"]);
        }
    }

    [Fact]
    public void AMemoryRunResumesAndEvaluatesOnlyWithItsTextGivenAgain()
    {
        var text = TrainingText.FromString(Text, "cats");
        var whole = CharTraining.Train(device, Options("whole", text));
        using var cancel = new CancellationTokenSource();
        var stopped = CharTraining.Train(device, Options("stopped", text),
            new TrainingCallbacks { OnReport = r => { if (r.Step == 4) cancel.Cancel(); } }, cancel.Token);
        Assert.Equal(StopReason.Interrupted, stopped.Reason);

        var missing = Assert.Throws<EngineException>(() => CharTraining.Resume(device, stopped.RunDirectory));
        Assert.Contains("given in memory ('cats')", missing.Message, StringComparison.Ordinal);
        Assert.Contains("ResumeOptions.Text", missing.Message, StringComparison.Ordinal);
        var other = Assert.Throws<EngineException>(() => CharTraining.Resume(device, stopped.RunDirectory,
            new ResumeOptions { Text = TrainingText.FromString(Text.Replace("cat", "act", StringComparison.Ordinal)) }));
        Assert.Contains("is not the run's corpus", other.Message, StringComparison.Ordinal);

        var resumed = CharTraining.Resume(device, stopped.RunDirectory, new ResumeOptions { Text = text });
        Assert.Equal(whole.LastLoss, resumed.LastLoss);
        Assert.Equal(ModelCheckpoint.Load(whole.LatestCheckpoint).Parameters, ModelCheckpoint.Load(resumed.LatestCheckpoint).Parameters);

        using var model = CharModel.Load(resumed.LatestCheckpoint, device);
        var refused = Assert.Throws<EngineException>(() => model.Evaluate());
        Assert.Contains("EvaluationOptions.Text", refused.Message, StringComparison.Ordinal);
        var evaluation = model.Evaluate(new EvaluationOptions { Text = text });
        Assert.True(evaluation.FromTraining);
        Assert.Equal("cats", evaluation.Corpus);
        // A file of the same bytes is the same corpus.
        File.WriteAllText(dir.File("corpus.txt"), Text);
        Assert.True(model.Evaluate(new EvaluationOptions { Corpus = dir.File("corpus.txt") }).FromTraining);
    }

    [Fact]
    public void BadTextIsRefusedAtOnce()
    {
        Assert.Throws<ArgumentException>(() => TrainingText.FromString(""));
        Assert.Throws<ArgumentException>(() => TrainingText.FromString("ab\uD800c"));
        Assert.Throws<ArgumentException>(() => TrainingText.FromDocuments([]));
        Assert.Throws<ArgumentException>(() => TrainingText.FromDocuments(["a", null!]));
        Assert.Throws<ArgumentException>(() => TrainingText.FromStream(new MemoryStream()));
        var invalid = TrainingText.FromStream(new MemoryStream([0x61, 0x62, 0xFF, 0x63]), "bytes");
        var e = Assert.Throws<EngineException>(() => CharTraining.Train(device, Options("invalid", invalid)));
        Assert.Contains("not valid UTF-8 (bad byte at offset 2)", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("invalid")));
    }

    [Fact]
    public void AModelSavedToAStreamLoadsBackAndIsTheFilesBytes()
    {
        var run = CharTraining.Train(device, Options("run", TrainingText.FromString(Text), maxSteps: 4));
        using var model = CharModel.Load(run.LatestCheckpoint, device);
        using var stream = new MemoryStream();
        stream.Write([1, 2, 3]);
        model.Save(stream);
        model.Save(dir.File("saved.safetensors"));
        Assert.Equal(File.ReadAllBytes(dir.File("saved.safetensors")), stream.ToArray()[3..]);

        stream.Position = 3;
        using var again = CharModel.Load(stream, device, "in memory");
        Assert.Equal("in memory", again.Path);
        Assert.Equal(model.Vocabulary, again.Vocabulary);
        Assert.Equal(model.NextLogits("the ca"), again.NextLogits("the ca"));
        var options = new SamplingOptions { Length = 40, Seed = 3 };
        Assert.Equal(model.Generate("the", options), again.Generate("the", options));

        var bad = Assert.Throws<EngineException>(() => CharModel.Load(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8, 9]), device, "junk"));
        Assert.Contains("'junk'", bad.Message, StringComparison.Ordinal);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Save(new MemoryStream()));
    }

    public void Dispose()
    {
        device.Dispose();
        dir.Dispose();
    }
}
