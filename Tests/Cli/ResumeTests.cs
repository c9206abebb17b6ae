using System.Text.RegularExpressions;
using IlgpuLstm.Cli;
using IlgpuLstm.Engine.Checkpoints;

namespace IlgpuLstm.Tests.Cli;

/// <summary>Exact resume: a run stopped and resumed repeats the losses of one never stopped, bit for bit.</summary>
[Collection(DeviceCollection.Name)]
public sealed partial class ResumeTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly string corpus;

    public ResumeTests()
    {
        corpus = dir.File("tiny.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat.\nthe dog ate the log.\n", 11)));
    }

    /// <summary>Common flags: 4 x 10 batches, so an epoch of the 396-character training split is 9 steps.</summary>
    private (int Code, string Out, string Err) Train(string checkpoints, params string[] extra) =>
        TrainOn(TestAccelerators.Host, checkpoints, extra);

    private (int Code, string Out, string Err) TrainOn(string accelerator, string checkpoints, params string[] extra) => CliRunner.Run(
        [.. new[] { "train", "--corpus", corpus, "--accelerator", accelerator, "--hidden-size", "6", "--num-layers", "2",
            "--batch-size", "4", "--seq-length", "10", "--print-every", "1", "--val-frac", "0.2", "--dropout", "0.3",
            "--epochs", "2", "--checkpoint-dir", checkpoints, "--sample-length", "0", "--seed", "5" }, .. extra]);

    private static (int Code, string Out, string Err) Resume(string checkpoints, params string[] extra) =>
        ResumeOn(TestAccelerators.Host, checkpoints, extra);

    private static (int Code, string Out, string Err) ResumeOn(string accelerator, string checkpoints, params string[] extra) =>
        CliRunner.Run([.. new[] { "train", "--resume", checkpoints, "--accelerator", accelerator, "--sample-length", "0" }, .. extra]);

    /// <summary>Stops in the middle of the first epoch, exactly at its end, and in the middle of the second.</summary>
    public static IEnumerable<object[]> StopPoints => TestAccelerators.With([4], [9], [12]);

    [Theory]
    [MemberData(nameof(StopPoints))]
    public void StoppedAndResumedEqualsUninterrupted(string accelerator, int stopAt)
    {
        var whole = TrainOn(accelerator, Path.Combine(dir.Path, "whole"));
        Assert.True(whole.Code == 0, whole.Err);
        var parts = Path.Combine(dir.Path, $"parts{stopAt}");
        var first = TrainOn(accelerator, parts, "--max-steps", stopAt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(first.Code == 0, first.Err);
        var second = ResumeOn(accelerator, parts, "--max-steps", "0"); // lift the first part's limit: run to the end
        Assert.True(second.Code == 0, second.Err);
        Assert.Contains($"resuming at epoch {(stopAt < 9 ? 1 : 2)}, step {stopAt}", second.Out, StringComparison.Ordinal);

        Assert.Equal(Losses(whole.Out), Losses(first.Out).Concat(Losses(second.Out)).ToList());
        Assert.Equal(18, Losses(whole.Out).Count);
        Assert.Equal(ModelCheckpoint.Load(Path.Combine(dir.Path, "whole", "latest.safetensors")).Parameters,
            ModelCheckpoint.Load(Path.Combine(parts, "latest.safetensors")).Parameters);
        var a = ResumeCheckpoint.Load(Path.Combine(dir.Path, "whole", "resume.safetensors"));
        var b = ResumeCheckpoint.Load(Path.Combine(parts, "resume.safetensors"));
        Assert.Equal(a.Moment1, b.Moment1);
        Assert.Equal(a.Moment2, b.Moment2);
        // The training clock continues across resumes; all else is the same, bit for bit.
        Assert.Equal(a.Position with { ElapsedSeconds = 0 }, b.Position with { ElapsedSeconds = 0 });
        Assert.True(b.Position.ElapsedSeconds > 0);
    }

    [Fact]
    public void AFinishedRunCanBeExtendedButNotChanged()
    {
        var ck = Path.Combine(dir.Path, "run");
        Assert.Equal(0, Train(ck, "--max-steps", "3").Code);
        var done = Resume(ck, "--max-steps", "3");
        Assert.Equal(0, done.Code);
        Assert.Contains("nothing to do", done.Out, StringComparison.Ordinal);
        var conflict = Resume(ck, "--lr", "0.5", "--hidden-size", "7", "--max-steps", "5");
        Assert.Equal(ExitCodes.Usage, conflict.Code);
        Assert.Contains("--lr 0.5 (the run has 0.002)", conflict.Err, StringComparison.Ordinal);
        Assert.Contains("--hidden-size 7 (the run has 6)", conflict.Err, StringComparison.Ordinal);
        Assert.Single(conflict.Err.TrimEnd('\n').Split('\n'));
        var otherText = dir.File("other.txt");
        File.WriteAllText(otherText, "a text the run never saw, with characters it has no ids for: Zebra!");
        var other = Resume(ck, "--max-steps", "5", "--corpus", otherText);
        Assert.Equal(ExitCodes.Error, other.Code);
        Assert.Matches(@"is not the run's corpus .*\(sha256 [0-9a-f]{64}, the run used [0-9a-f]{64}[;)]", other.Err);
        var same = Resume(ck, "--hidden-size", "6", "--max-steps", "5", "--print-every", "2", "--corpus", corpus);
        Assert.True(same.Code == 0, same.Err);
        Assert.Contains("Step: 5...", same.Out, StringComparison.Ordinal);
        Assert.Contains("does not exist", Resume(Path.Combine(dir.Path, "nothing")).Err, StringComparison.Ordinal);
        File.AppendAllText(corpus, "more text");
        Assert.Contains("has changed since the run started", Resume(ck, "--max-steps", "6").Err, StringComparison.Ordinal);
    }

    [Fact]
    public void AMovedCorpusResumesFromItsNewPlaceWhenItsContentIsTheRuns()
    {
        var ck = Path.Combine(dir.Path, "moved");
        Assert.Equal(0, Train(ck, "--max-steps", "3").Code);
        var moved = dir.File("elsewhere.txt");
        File.Move(corpus, moved);
        var lost = Resume(ck, "--max-steps", "4");
        Assert.Equal(ExitCodes.Error, lost.Code);
        Assert.Contains("no longer exists; if it moved, give its new place", lost.Err, StringComparison.Ordinal);
        Assert.Contains("--corpus NEWPATH", lost.Err, StringComparison.Ordinal);

        var found = Resume(ck, "--max-steps", "4", "--corpus", moved);
        Assert.True(found.Code == 0, found.Err);
        Assert.Contains("Step: 4...", found.Out, StringComparison.Ordinal);
        // The checkpoints now name the new place, so the next resume needs no flag.
        Assert.Equal(Path.GetFullPath(moved), ModelCheckpoint.Load(Path.Combine(ck, "latest.safetensors")).Get("corpus"));
        var further = Resume(ck, "--max-steps", "10");
        Assert.True(further.Code == 0, further.Err);
        // The pace line counts the run's steps, not the session's (this session began after step 4).
        Assert.Contains("pace (steps 7-9): ", further.Out, StringComparison.Ordinal);

        File.WriteAllText(corpus, File.ReadAllText(moved).Replace("cat", "cot", StringComparison.Ordinal));
        var changed = Resume(ck, "--max-steps", "11", "--corpus", corpus);
        Assert.Equal(ExitCodes.Error, changed.Code);
        Assert.Contains("is not the run's corpus", changed.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void DivergenceStopsWithADiagnosisAndKeepsTheLastGoodCheckpoint()
    {
        var ck = Path.Combine(dir.Path, "nan");
        Assert.Equal(0, Train(ck, "--max-steps", "2").Code);
        // SGD at 3e38 overflows the weights in one step: the checkpoint of the earlier run must survive.
        var r = Train(ck, "--optimizer", "sgd", "--lr", "3e38", "--grad-clip", "0", "--max-steps", "20", "--overwrite");
        Assert.Equal(ExitCodes.Error, r.Code);
        Assert.Matches(@"^error: training diverged at step 1: loss .*, gradient norm .*, weights no longer finite \(last finite loss none\); the last good checkpoint was kept", r.Err);
        var latest = ModelCheckpoint.Load(Path.Combine(ck, "latest.safetensors"));
        Assert.Equal("2", latest.Get("step"));
        Assert.All(latest.Parameters, v => Assert.True(float.IsFinite(v)));

        var exploding = Train(Path.Combine(dir.Path, "boom"), "--optimizer", "sgd", "--lr", "1e10", "--grad-clip", "0", "--max-steps", "20");
        Assert.Equal(ExitCodes.Error, exploding.Code);
        Assert.Contains("loss is exploding at step 2", exploding.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnwritableCheckpointDirectoryIsRefusedBeforeTraining()
    {
        var blocker = dir.File("a-file");
        File.WriteAllText(blocker, "x");
        var r = Train(Path.Combine(blocker, "sub"), "--max-steps", "1");
        Assert.Equal(ExitCodes.Error, r.Code);
        Assert.Contains("is not writable", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Epoch:", r.Out, StringComparison.Ordinal);
    }

    private static List<string> Losses(string output) =>
        LossLine().Matches(output).Select(m => m.Value).ToList();

    [GeneratedRegex(@"Step: \d+\.\.\. Loss: [0-9.]+\.\.\. Val Loss: [0-9.]+")]
    private static partial Regex LossLine();

    public void Dispose() => dir.Dispose();
}
