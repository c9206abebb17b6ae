using System.Text.RegularExpressions;
using IlgpuLstm.Cli;

namespace IlgpuLstm.Tests.Cli;

/// <summary>What a newcomer hit on the CLI: eval's shape, help that pastes, one JSON style, wording, the pace line, top-p, weight decay.</summary>
[Collection(DeviceCollection.Name)]
public sealed class NewcomerTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly string corpus;
    private readonly string run;

    public NewcomerTests()
    {
        corpus = dir.File("tiny.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat.\nthe dog ate the log.\n", 30)));
        run = dir.File("run");
    }

    private (int Code, string Out, string Err) Train(params string[] extra) => CliRunner.Run(
        [.. new[] { "train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "8", "--batch-size", "3",
            "--seq-length", "7", "--print-every", "5", "--val-frac", "0.2", "--val-batches", "0", "--checkpoint-dir", run,
            "--sample-length", "0" }, .. extra]);

    [Fact]
    public void EvalMeasuresAtTheTrainingShapeSoItMatchesTheBestValidationLossAndSaysWhenItCaps()
    {
        var trained = Train("--max-steps", "10");
        Assert.True(trained.Code == 0, trained.Err);
        var best = Regex.Match(trained.Out, @"best val loss (\d+\.\d{4})").Groups[1].Value;
        var r = CliRunner.Run("eval", "--checkpoint", Path.Combine(run, "best.safetensors"), "--accelerator", "cpu");
        Assert.True(r.Code == 0, r.Err);
        Assert.Matches(@"validation \(\d+ batch(es)? of 3 x 7, last 0\.2 of the corpus, as trained\): loss " + Regex.Escape(best), r.Out);
        var capped = CliRunner.Run("eval", "--checkpoint", Path.Combine(run, "best.safetensors"), "--accelerator", "cpu", "--batches", "40");
        Assert.Matches(@"note: 40 batches asked for; the split holds \d+, so all \d+ were used", capped.Out);
        var shaped = CliRunner.Run("eval", "--checkpoint", Path.Combine(run, "best.safetensors"), "--accelerator", "cpu", "--batch-size", "2");
        Assert.Contains("batches of 2 x 7, last 0.2 of the corpus)", shaped.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpExamplesAreOneLineEachAndParseAndDefaultsReadOneWay()
    {
        foreach (var command in HelpExamples.All)
            Assert.True(Program.Parses(command.Split(' ')), $"help example does not parse: {command}");
        foreach (var verb in new[] { "train", "sample", "eval", "inspect", "export", "plot", "timeseries", "devices", "selftest", "bench" })
        {
            var help = CliRunner.Run(verb, "-h");
            Assert.Equal(0, help.Code);
            Assert.DoesNotContain("(Default:", help.Out, StringComparison.Ordinal);
            var lines = help.Out.Split('\n');
            int examples = Array.FindIndex(lines, l => l.StartsWith("EXAMPLES:", StringComparison.Ordinal));
            Assert.True(examples > 0, $"{verb} -h has no examples");
            // Every example is '  # what' then '  ilgpu-lstm VERB ...' on one line.
            Assert.StartsWith("  # ", lines[examples + 1], StringComparison.Ordinal);
            Assert.StartsWith($"  ilgpu-lstm {verb}", lines[examples + 2], StringComparison.Ordinal);
        }
        Assert.DoesNotContain("--cell Gru", CliRunner.Run("bench", "-h").Out, StringComparison.Ordinal);
        Assert.Contains("ptxas for sm_80 and sm_90", Regex.Replace(CliRunner.Run("bench", "-h").Out, @"\s+", " "), StringComparison.Ordinal);
    }

    [Fact]
    public void InspectJsonHasOneStyleAndAResumeKeepsWhenTheRunStarted()
    {
        Assert.Equal(0, Train("--max-steps", "5", "--weight-decay", "0.01").Code);
        var created = IlgpuLstm.Engine.Checkpoints.ModelCheckpoint.Load(Path.Combine(run, "latest.safetensors")).Get("created");
        var resumed = CliRunner.Run("train", "--resume", run, "--max-steps", "10", "--sample-length", "0", "--accelerator", "cpu");
        Assert.True(resumed.Code == 0, resumed.Err);
        var json = CliRunner.Run("inspect", "--checkpoint", Path.Combine(run, "resume.safetensors"), "--json").Out;
        Assert.DoesNotContain("\\u00", json, StringComparison.Ordinal);
        Assert.DoesNotMatch("\"[A-Za-z]*[A-Z][A-Za-z_]*\":", json); // no PascalCase or camelCase names
        Assert.Contains("\"kind\": \"adam\"", json, StringComparison.Ordinal);
        Assert.Contains("\"weight_decay\": 0.01", json, StringComparison.Ordinal);
        Assert.Contains("\"preset\": \"cpu-default\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"created\": \"{created}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"resumed\": \"", json, StringComparison.Ordinal);
        var table = CliRunner.Run("inspect", "--checkpoint", Path.Combine(run, "resume.safetensors")).Out;
        Assert.Contains($"| run started     | {created}", table, StringComparison.Ordinal);
        Assert.Contains("| last resumed", table, StringComparison.Ordinal);
        // The weight decay is the run's: another value on resume is a conflict.
        var conflict = CliRunner.Run("train", "--resume", run, "--weight-decay", "0.5", "--accelerator", "cpu");
        Assert.Equal(ExitCodes.Usage, conflict.Code);
        Assert.Contains("--weight-decay 0.5 (the run has 0.01)", conflict.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void TheWordingSaysWhatItKnows()
    {
        var trained = Train("--max-steps", "30");
        Assert.True(trained.Code == 0, trained.Err);
        Assert.StartsWith("device: host code (", trained.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("(CPU (host code))", trained.Out, StringComparison.Ordinal);
        Assert.Matches(@"pace \(steps 3-5\): [\d,]+ ms a step; the 25 steps left take about", trained.Out);
        Assert.Matches(@"pace \(steps 6-25\): [\d,]+ ms a step; the 5 steps left take about", trained.Out);

        var directory = CliRunner.Run("train", "--corpus", dir.Path, "--accelerator", "cpu");
        Assert.Contains($"corpus '{dir.Path}' is a directory; give a text file", directory.Err, StringComparison.Ordinal);
        var misspelt = CliRunner.Run("train", "--corpus", "shakespeare", "--accelerator", "cpu");
        Assert.Contains("did you mean tinyshakespeare?", misspelt.Err, StringComparison.Ordinal);
        var noValidation = CliRunner.Run("train", "--corpus", corpus, "--accelerator", "cpu", "--batch-size", "3", "--seq-length", "7",
            "--val-frac", "0.01", "--checkpoint-dir", dir.File("short"));
        Assert.Contains("use a longer corpus or smaller sizes, a larger --val-frac, or --val-frac 0 to train without validation",
            noValidation.Err, StringComparison.Ordinal);
        var asDirectory = CliRunner.Run("sample", "--checkpoint", run, "--accelerator", "cpu");
        Assert.Contains($"is a directory, not a file; did you mean {Path.Combine(run, "best.safetensors")} or", asDirectory.Err,
            StringComparison.Ordinal);
        var one = CliRunner.Run("train", "--corpus", dir.File("one.txt"), "--accelerator", "cpu");
        Assert.NotEqual(0, one.Code);
    }

    [Fact]
    public void SelftestSaysWhyARowPassesAndBenchNamesItsCommit()
    {
        var selftest = CliRunner.Run("selftest", "--accelerator", "cpu");
        Assert.True(selftest.Code == 0, selftest.Err);
        Assert.Contains("| passes within", selftest.Out, StringComparison.Ordinal);
        Assert.Contains("a large relative error where the reference is near zero can pass", selftest.Out, StringComparison.Ordinal);
        var bench = CliRunner.Run("bench", "sample", "--accelerator", "cpu", "--length", "50", "--hidden-size", "8");
        Assert.True(bench.Code == 0, bench.Err);
        Assert.Matches(@"commit [0-9a-f]{7}", bench.Out);
        Assert.DoesNotContain("commit unknown", bench.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void TopPSamplesFromTheNucleus()
    {
        Assert.Equal(0, Train("--max-steps", "5").Code);
        string ck = Path.Combine(run, "latest.safetensors");
        var argmax = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the", "--length", "30", "--argmax", "--accelerator", "cpu");
        var tiny = CliRunner.Run("sample", "--checkpoint", ck, "--prime", "the", "--length", "30", "--top-p", "0.000001", "--accelerator", "cpu");
        Assert.Equal(argmax.Out, tiny.Out);
        var refused = CliRunner.Run("sample", "--checkpoint", ck, "--top-p", "0", "--accelerator", "cpu");
        Assert.Equal(ExitCodes.Usage, refused.Code);
        Assert.Contains("--top-p must be in (0, 1], got 0", refused.Err, StringComparison.Ordinal);
    }

    public void Dispose() => dir.Dispose();
}
