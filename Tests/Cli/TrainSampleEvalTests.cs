using IlgpuLstm.Cli;
using IlgpuLstm.Engine.Checkpoints;

namespace IlgpuLstm.Tests.Cli;

/// <summary>The train, sample and eval verbs end to end on a tiny corpus on the CPU accelerator.</summary>
[Collection(DeviceCollection.Name)]
public sealed class TrainSampleEvalTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly string corpus;
    private readonly string checkpoints;

    public TrainSampleEvalTests()
    {
        corpus = dir.File("tiny.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat.\nthe dog ate the log.\n", 12)));
        checkpoints = Path.Combine(dir.Path, "ck");
    }

    private (int Code, string Out, string Err) Train(params string[] extra) => CliRunner.Run(
        [.. new[] { "train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "8", "--num-layers", "2",
            "--batch-size", "2", "--seq-length", "5", "--print-every", "2", "--val-frac", "0.2", "--dropout", "0.2",
            "--checkpoint-dir", checkpoints, "--sample-length", "10", "--seed", "3" }, .. extra]);

    [Fact]
    public void TrainWritesCheckpointsPrintsTheLessonLineAndASample()
    {
        var (code, output, err) = Train("--max-steps", "4", "--grad-clamp", "1");
        Assert.True(code == ExitCodes.Success, err);
        Assert.Contains("Epoch: 1/10... Step: 2... Loss: ", output, StringComparison.Ordinal); // cpu-default: 10 epochs
        Assert.Contains("... Val Loss: ", output, StringComparison.Ordinal);
        Assert.Contains("sample (top-k 5):", output, StringComparison.Ordinal);
        Assert.Contains("stopped (--max-steps reached) at step 4, epoch 1;", output, StringComparison.Ordinal);
        var latest = ModelCheckpoint.Load(Path.Combine(checkpoints, "latest.safetensors"));
        Assert.Equal("4", latest.Get("step"));
        Assert.True(File.Exists(Path.Combine(checkpoints, "best.safetensors")));

        var inspected = CliRunner.Run("inspect", "--checkpoint", Path.Combine(checkpoints, "resume.safetensors"));
        Assert.True(inspected.Code == 0, inspected.Err);
        Assert.Contains("| model ", inspected.Out, StringComparison.Ordinal);
        Assert.Contains("lstm 8x2, dropout 0.2", inspected.Out, StringComparison.Ordinal);
        Assert.Contains("| 4 (epoch 1)", inspected.Out, StringComparison.Ordinal);
        Assert.Contains("| resumes at ", inspected.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void PatienceStopsWhenValidationStopsImproving()
    {
        // At lr 1e-30 the weights cannot change, so validation (every 2 steps) never improves on
        // the first one: patience 2 stops at the third validation.
        var r = Train("--lr", "1e-30", "--patience", "2", "--max-steps", "40");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("stopped (no better validation loss for --patience validations) at step 6", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void LogWritesOneCsvRowPerReport()
    {
        var log = dir.File("log.csv");
        Assert.Equal(0, Train("--max-steps", "4", "--log", log).Code);
        var lines = File.ReadAllLines(log);
        Assert.Equal(CsvLog.Header, lines[0]);
        Assert.Equal(3, lines.Length); // steps 2 and 4
        Assert.StartsWith("4,1,", lines[2], StringComparison.Ordinal);
        Assert.Equal(7, lines[2].Split(',').Length);
    }

    [Fact]
    public void TheSameSeedRepeatsTheLossesBitForBit()
    {
        var first = Train("--max-steps", "4");
        var second = Train("--max-steps", "4", "--overwrite");
        static string Losses(string s) => string.Join("\n", s.Split('\n').Where(l => l.StartsWith("Epoch:", StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf("   (", StringComparison.Ordinal)]));
        Assert.Equal(Losses(first.Out), Losses(second.Out));
        Assert.Equal(
            ModelCheckpoint.Load(Path.Combine(checkpoints, "latest.safetensors")).Parameters,
            ModelCheckpoint.Load(Path.Combine(checkpoints, "latest.safetensors")).Parameters);
    }

    /// <summary>A second run into a directory holding one is refused unless --overwrite; the first run's files survive.</summary>
    [Fact]
    public void ARunNeverReplacesAnotherUnasked()
    {
        Assert.Equal(0, Train("--max-steps", "2").Code);
        var best = File.ReadAllBytes(Path.Combine(checkpoints, "best.safetensors"));
        var again = Train("--max-steps", "4");
        Assert.Equal(ExitCodes.Error, again.Code);
        Assert.Contains("holds the checkpoints of another run; continue it with --resume", again.Err, StringComparison.Ordinal);
        Assert.Contains("--overwrite", again.Err, StringComparison.Ordinal);
        Assert.Equal(best, File.ReadAllBytes(Path.Combine(checkpoints, "best.safetensors")));
        Assert.Equal(0, Train("--max-steps", "4", "--overwrite").Code);
        Assert.Equal("4", ModelCheckpoint.Load(Path.Combine(checkpoints, "latest.safetensors")).Get("step"));
    }

    /// <summary>
    /// --keep N end-of-epoch checkpoints named with epoch and validation loss; metrics.jsonl beside
    /// them; loss.png at the end; plot draws one or more runs; the learning rate decays as char-rnn's.
    /// </summary>
    [Fact]
    public void EpochCheckpointsMetricsAndPlots()
    {
        // 396 training characters at 2 x 5: 39 batches an epoch; 4 epochs, keep 2, decay 0.5 after epoch 1.
        var r = Train("--epochs", "4", "--keep", "2", "--lr-decay", "0.5", "--decay-after", "1");
        Assert.True(r.Code == 0, r.Err);
        var epochs = Directory.GetFiles(checkpoints, "epoch*.safetensors").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, epochs.Count);
        Assert.Matches(@"^epoch003_\d+\.\d{4}\.safetensors$", epochs[0]);
        Assert.Matches(@"^epoch004_\d+\.\d{4}\.safetensors$", epochs[1]);
        Assert.Equal("4", ModelCheckpoint.Load(Path.Combine(checkpoints, epochs[1]!)).Get("epoch"));
        var lines = File.ReadAllLines(Path.Combine(checkpoints, "metrics.jsonl"));
        Assert.True(lines.Length >= 4, string.Join('\n', lines));
        var points = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        foreach (var name in new[] { "step", "epoch", "train_loss", "val_loss", "grad_norm", "lr", "tokens_per_s", "elapsed_s" })
            Assert.True(points[0].TryGetProperty(name, out _), name);
        // Epoch e trains at 0.002 * 0.5^max(0, e - 1).
        foreach (var p in points)
            Assert.Equal(0.002 * Math.Pow(0.5, Math.Max(0, p.GetProperty("epoch").GetInt32() - 1)), p.GetProperty("lr").GetDouble(), 9);
        Assert.True(new FileInfo(Path.Combine(checkpoints, "loss.png")).Length > 1000);
        Assert.Contains("ETA", r.Out, StringComparison.Ordinal);
        Assert.Contains("pace (steps 3-5): ", r.Out, StringComparison.Ordinal);

        var png = dir.File("two.png");
        var plot = CliRunner.Run("plot", checkpoints, Path.Combine(checkpoints, "metrics.jsonl"), "--out", png);
        Assert.True(plot.Code == 0, plot.Err);
        // A run's metrics.jsonl is named by its directory, as the directory is (the legend, train's loss.png title).
        Assert.Matches(@"\(ck: \d+ reports, ck: \d+ reports\)", plot.Out);
        Assert.True(new FileInfo(png).Length > 1000);
        // The PNG now exists: a second plot into it is refused, untouched, unless asked to replace it.
        var written = File.GetLastWriteTimeUtc(png);
        var again = CliRunner.Run("plot", checkpoints, "--out", png);
        Assert.Equal(ExitCodes.Error, again.Code);
        Assert.Equal($"error: --out '{png}' already exists; choose another file, or add --overwrite to replace it\n",
            again.Err.ReplaceLineEndings("\n"));
        Assert.Equal(written, File.GetLastWriteTimeUtc(png));
        Assert.Equal(0, CliRunner.Run("plot", checkpoints, "--out", png, "--overwrite").Code);
        var none = CliRunner.Run("plot", dir.Path, "--out", dir.File("none.png"));
        Assert.Equal(ExitCodes.Error, none.Code);
        Assert.Contains("has no metrics.jsonl", none.Err, StringComparison.Ordinal);
    }

    /// <summary>Printing, validating and saving have their own intervals; a new best is written whenever it appears.</summary>
    [Fact]
    public void PrintValidateAndSaveEveryHaveTheirOwnIntervals()
    {
        var r = CliRunner.Run("train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "8", "--batch-size", "2",
            "--seq-length", "5", "--val-frac", "0.2", "--checkpoint-dir", checkpoints, "--sample-length", "0", "--keep", "0",
            "--print-every", "1", "--val-every", "3", "--save-every", "4", "--max-steps", "10");
        Assert.True(r.Code == 0, r.Err);
        var lines = r.Out.Split('\n').Where(l => l.StartsWith("Epoch:", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, lines.Count);
        for (int step = 1; step <= 10; step++)
            Assert.Equal(step % 3 == 0 || step == 10, lines[step - 1].Contains("Val Loss", StringComparison.Ordinal));
        // Latest was written at steps 4, 8 and the end (10); a resume continues from there.
        Assert.Equal("10", ModelCheckpoint.Load(Path.Combine(checkpoints, "latest.safetensors")).Get("step"));
        Assert.Equal(10, File.ReadAllLines(Path.Combine(checkpoints, "metrics.jsonl")).Length);
    }

    /// <summary>--resume takes a file of the run too; the training clock continues where it stopped.</summary>
    [Fact]
    public void ResumeTakesAFileOfTheRunAndKeepsItsClock()
    {
        Assert.Equal(0, Train("--max-steps", "2").Code);
        var resumed = CliRunner.Run("train", "--resume", Path.Combine(checkpoints, "latest.safetensors"), "--max-steps", "4",
            "--accelerator", "cpu", "--sample-length", "0");
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("resuming at epoch 1, step 2", resumed.Out, StringComparison.Ordinal);
        var metrics = File.ReadAllLines(Path.Combine(checkpoints, "metrics.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2L, 4L], metrics.Select(m => m.GetProperty("step").GetInt64()));
        Assert.True(metrics[1].GetProperty("elapsed_s").GetDouble() >= metrics[0].GetProperty("elapsed_s").GetDouble());
    }

    /// <summary>A file of an earlier step (best, an epoch checkpoint) is refused, never swapped for resume.safetensors.</summary>
    [Fact]
    public void ResumeFromAnEarlierCheckpointIsRefusedAndPointsAtInitFrom()
    {
        Assert.Equal(0, Train("--max-steps", "2").Code);
        var best = Path.Combine(checkpoints, "best.safetensors");
        File.Copy(Path.Combine(checkpoints, "latest.safetensors"), dir.File("step2.safetensors"));
        Assert.Equal(0, CliRunner.Run("train", "--resume", checkpoints, "--max-steps", "4", "--accelerator", "cpu", "--sample-length", "0").Code);
        File.Copy(dir.File("step2.safetensors"), best, overwrite: true); // best stays at step 2
        var before = File.ReadAllBytes(Path.Combine(checkpoints, "resume.safetensors"));
        var r = CliRunner.Run("train", "--resume", best, "--max-steps", "6", "--accelerator", "cpu", "--sample-length", "0");
        Assert.Equal(ExitCodes.Error, r.Code);
        Assert.StartsWith($"error: cannot resume from '{best}': it holds the weights of step 2, but the run continues from step 4", r.Err,
            StringComparison.Ordinal);
        Assert.Contains($"--init-from {best} with a new --checkpoint-dir", r.Err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(checkpoints, "resume.safetensors")));
    }

    [Fact]
    public void SamplesCountOutAndInspect()
    {
        Assert.Equal(0, Train("--max-steps", "2").Code);
        var ck = Path.Combine(checkpoints, "latest.safetensors");
        var file = dir.File("samples.txt");
        var r = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the", "--length", "10", "--count", "3", "--out", file,
            "--accelerator", "cpu");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(3, File.ReadAllLines(file).Count(l => l.StartsWith("--- sample ", StringComparison.Ordinal)));
        var again = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the", "--out", file, "--accelerator", "cpu");
        Assert.Equal(ExitCodes.Error, again.Code);
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);

        var table = CliRunner.Run("inspect", "--checkpoint", ck);
        Assert.True(table.Code == 0, table.Err);
        Assert.Contains("| model ", table.Out, StringComparison.Ordinal);
        Assert.Contains("bits/char", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Kind\"", table.Out, StringComparison.Ordinal);
        var json = CliRunner.Run("inspect", "--checkpoint", ck, "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(json.Out);
        Assert.Equal("lstm", doc.RootElement.GetProperty("cell").GetString());
        Assert.Equal("2", doc.RootElement.GetProperty("metadata").GetProperty("step").ToString());
    }

    [Fact]
    public void SamplingIsRepeatableHasTheLessonsLengthAndRefusesUnknownCharacters()
    {
        Assert.Equal(0, Train("--max-steps", "2").Code);
        var ck = Path.Combine(checkpoints, "latest.safetensors");
        var a = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the ", "--length", "30", "--seed", "9", "--accelerator", "cpu");
        var b = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the ", "--length", "30", "--seed", "9", "--accelerator", "cpu");
        Assert.Equal(0, a.Code);
        Assert.Equal(a.Out, b.Out);
        // The prime, the prediction after it and 30 more (one UTF-16 unit each here), then the final newline.
        Assert.Equal("the ".Length + 1 + 30, a.Out[..^1].Length);
        Assert.StartsWith("the ", a.Out, StringComparison.Ordinal);
        var argmax = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the", "--length", "5", "--argmax", "--accelerator", "cpu");
        Assert.Equal(0, argmax.Code);

        var bad = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the Zebra!", "--accelerator", "cpu");
        Assert.Equal(ExitCodes.Error, bad.Code);
        Assert.Contains("'Z'", bad.Err, StringComparison.Ordinal);
        Assert.Single(bad.Err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void EvalPrintsLossAndBitsPerCharacter()
    {
        Assert.Equal(0, Train("--max-steps", "2").Code);
        // No --corpus: the checkpoint names the file it was trained on.
        var r = CliRunner.Run("eval", "--checkpoint", Path.Combine(checkpoints, "latest.safetensors"),
            "--batch-size", "2", "--seq-length", "5", "--val-frac", "0.2", "--accelerator", "cpu");
        Assert.True(r.Code == 0, r.Err);
        Assert.Matches(@"loss \d+\.\d{4}, \d+\.\d{4} bits per character", r.Out);

        // "as trained" means the corpus trained on (by content, wherever it lies) with the run's shape and split.
        var copy = dir.File("copy.txt");
        File.Copy(corpus, copy);
        var other = dir.File("other.txt");
        File.WriteAllText(other, string.Concat(Enumerable.Repeat("the dog sat on the log.\nthe cat ate the mat.\n", 12)));
        string Eval(params string[] extra) => CliRunner.Run([.. new[] { "eval", "--checkpoint", Path.Combine(checkpoints, "latest.safetensors"),
            "--accelerator", "cpu" }, .. extra]).Out;
        Assert.Contains(", as trained)", Eval(), StringComparison.Ordinal);
        Assert.Contains(", as trained)", Eval("--corpus", copy), StringComparison.Ordinal);
        Assert.DoesNotContain("as trained", Eval("--corpus", other), StringComparison.Ordinal);
    }

    [Fact]
    public void InitFromFineTunesWithTheSameVocabularyAndRefusesNewCharacters()
    {
        Assert.Equal(0, Train("--max-steps", "2").Code);
        var ck = Path.Combine(checkpoints, "latest.safetensors");
        var sameChars = dir.File("same.txt");
        File.WriteAllText(sameChars, string.Concat(Enumerable.Repeat("the mat sat on the cat.\nthe log ate the dog.\n", 10)));
        var ok = CliRunner.Run("train", "--corpus", sameChars, "--init-from", ck, "--accelerator", "cpu", "--hidden-size", "99",
            "--batch-size", "2", "--seq-length", "5", "--max-steps", "2", "--print-every", "2",
            "--checkpoint-dir", Path.Combine(dir.Path, "ft"), "--sample-length", "0");
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("--hidden-size 99 ignored: with --init-from the architecture comes from the checkpoint (lstm ", ok.Out,
            StringComparison.Ordinal);

        var newChars = dir.File("new.txt");
        File.WriteAllText(newChars, string.Concat(Enumerable.Repeat("The Quick fox!\n", 20)));
        var refused = CliRunner.Run("train", "--corpus", newChars, "--init-from", ck, "--accelerator", "cpu",
            "--batch-size", "2", "--seq-length", "5", "--checkpoint-dir", Path.Combine(dir.Path, "ft2"));
        Assert.Equal(ExitCodes.Error, refused.Code);
        Assert.Contains("not in the model's vocabulary", refused.Err, StringComparison.Ordinal);
        Assert.Contains("'Q'", refused.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void GruAndRnnCellsTrainSampleAndEvaluate(string cell)
    {
        var trained = Train("--max-steps", "2", "--cell", cell);
        Assert.True(trained.Code == 0, trained.Err);
        var ck = Path.Combine(checkpoints, "latest.safetensors");
        Assert.True(SafetensorsFile.Open(ck).Tensors.ContainsKey(cell + ".weight_ih_l0"));
        Assert.Equal(0, CliRunner.Run("sample", "--checkpoint", ck, "--length", "5", "--prime", "the", "--accelerator", "cpu").Code);
        Assert.Equal(0, CliRunner.Run("eval", "--checkpoint", ck, "--corpus", corpus, "--batch-size", "2", "--seq-length", "5",
            "--accelerator", "cpu").Code);
    }

    [Fact]
    public void HelpListsVerbsAndFlags()
    {
        var verbs = CliRunner.Run("help");
        Assert.Equal(0, verbs.Code);
        foreach (var verb in new[] { "train", "sample", "eval", "timeseries", "devices", "selftest", "bench" })
            Assert.Contains(verb, verbs.Out, StringComparison.Ordinal);
        var train = CliRunner.Run("help", "train");
        Assert.Equal(0, train.Code);
        Assert.Contains("--resume", train.Out, StringComparison.Ordinal);
        Assert.Contains("--time-limit", train.Out, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("sample", "--help").Code);
        var shortHelp = CliRunner.Run("train", "-h");
        Assert.Equal(0, shortHelp.Code);
        Assert.Contains("--hidden-size", shortHelp.Out, StringComparison.Ordinal);
        Assert.Contains("ilgpu-lstm train", shortHelp.Out, StringComparison.Ordinal); // an example
    }

    [Fact]
    public void BadInputIsOneLineAndANonZeroExit()
    {
        void Refused(int code, string expected, params string[] args)
        {
            var r = CliRunner.Run(args);
            Assert.True(code == r.Code, $"{string.Join(' ', args)} -> {r.Code}: {r.Err}");
            Assert.Contains(expected, r.Err, StringComparison.Ordinal);
            Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("error: ", r.Err, StringComparison.Ordinal);
        }
        var empty = dir.File("empty.txt");
        File.WriteAllText(empty, "");
        var shortText = dir.File("short.txt");
        File.WriteAllText(shortText, "abc");
        var binary = dir.File("binary.txt");
        File.WriteAllBytes(binary, [0x41, 0xC3, 0x28, 0x42]);
        Refused(ExitCodes.Error, "does not exist", "train", "--corpus", dir.File("missing.txt"), "--accelerator", "cpu");
        Refused(ExitCodes.Error, "is empty", "train", "--corpus", empty, "--accelerator", "cpu");
        Refused(ExitCodes.Error, "is a directory; give a text file", "train", "--corpus", dir.Path + "/", "--accelerator", "cpu");
        Refused(ExitCodes.Error, "not valid UTF-8", "train", "--corpus", binary, "--accelerator", "cpu");
        Refused(ExitCodes.Error, "fewer than one batch", "train", "--corpus", shortText, "--accelerator", "cpu");
        // Bad command-line values, parsed or out of range, exit 2 and say what is valid.
        Refused(ExitCodes.Usage, "--hidden-size must be at least 1", "train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "0");
        Refused(ExitCodes.Usage, "--hidden-size must be at least 1", "train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "-5");
        Refused(ExitCodes.Usage, "--dropout must be in [0, 1)", "train", "--corpus", corpus, "--accelerator", "cpu", "--dropout", "1");
        Refused(ExitCodes.Usage, "unknown --cell 'lsmt' (known: lstm, gru, rnn)", "train", "--corpus", corpus, "--accelerator", "cpu", "--cell", "lsmt");
        Refused(ExitCodes.Usage, "--batch-size must be at least 1", "train", "--corpus", corpus, "--accelerator", "cpu", "--batch-size", "-2");
        Refused(ExitCodes.Error, "fewer than one batch", "train", "--corpus", corpus, "--accelerator", "cpu", "--batch-size", "1000");
        Refused(ExitCodes.Usage, "invalid value 'tpu' for --accelerator: expected one of auto, cuda, opencl, cpu, ilgpu-cpu", "train", "--accelerator", "tpu");
        Refused(ExitCodes.Usage, "invalid value 'abc' for --lr: expected a number", "train", "--lr", "abc");
        Refused(ExitCodes.Usage, "unknown option 'bogus'", "train", "--bogus");
        Refused(ExitCodes.Usage, "unknown option 'hiden-size' for train; did you mean --hidden-size?", "train", "--hiden-size", "8");
        Refused(ExitCodes.Usage, "unknown verb 'trian'; did you mean train?", "trian");
        Refused(ExitCodes.Usage, "missing what: What to benchmark", "bench");
        Refused(ExitCodes.Usage, "is not a duration", "train", "--corpus", corpus, "--accelerator", "cpu", "--time-limit", "soon");
        Refused(ExitCodes.Usage, "is not a duration", "train", "--corpus", corpus, "--accelerator", "cpu", "--time-limit", "4");
        Refused(ExitCodes.Usage, "--keep must be 0 (none) or positive", "train", "--corpus", corpus, "--accelerator", "cpu", "--keep", "-1");
        Refused(ExitCodes.Error, "does not exist", "sample", "--checkpoint", dir.File("none.safetensors"), "--accelerator", "cpu");
        Refused(ExitCodes.Error, "is a directory", "sample", "--checkpoint", dir.Path, "--accelerator", "cpu");
        Refused(ExitCodes.Error, "prime file", "sample", "--checkpoint", dir.File("none.safetensors"), "--prime-file", empty);
    }

    public void Dispose() => dir.Dispose();
}
