using IlgpuLstm.Cli;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Tests.Cli;

/// <summary>A run directory has one owner, keeps no debris of killed runs, and its metrics survive a torn last line.</summary>
[Collection(DeviceCollection.Name)]
public sealed class RunDirectoryTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly string corpus;
    private readonly string checkpoints;

    public RunDirectoryTests()
    {
        corpus = dir.File("tiny.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat.\nthe dog ate the log.\n", 12)));
        checkpoints = Path.Combine(dir.Path, "ck");
    }

    private (int Code, string Out, string Err) Train(params string[] extra) => CliRunner.Run(
        [.. new[] { "train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "8", "--batch-size", "2",
            "--seq-length", "5", "--print-every", "2", "--val-frac", "0.2", "--checkpoint-dir", checkpoints,
            "--sample-length", "0" }, .. extra]);

    [Fact]
    public void ALockedDirectoryIsRefusedInOneLineAndLeftAsItWas()
    {
        var first = Train("--max-steps", "4");
        Assert.True(first.Code == ExitCodes.Success, first.Err);
        var before = Snapshot();
        using (RunDirectoryLock.Acquire(checkpoints))
        {
            foreach (var extra in new[] { new[] { "--overwrite", "--max-steps", "4" }, ["--resume", checkpoints, "--max-steps", "8"], ["--max-steps", "6"] })
            {
                var r = Train(extra);
                Assert.Equal(ExitCodes.Error, r.Code);
                Assert.StartsWith($"error: '{checkpoints}' is in use by process {Environment.ProcessId}", r.Err, StringComparison.Ordinal);
                Assert.Contains("train into another directory", r.Err, StringComparison.Ordinal);
                Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
                Assert.Equal(before, Snapshot());
            }
        }
        // Released with its owner: the run continues.
        var resumed = Train("--resume", checkpoints, "--max-steps", "6");
        Assert.True(resumed.Code == ExitCodes.Success, resumed.Err);
    }

    [Fact]
    public void ARefusedRunLeavesNoDirectoryBehindButAnExistingOneIsKept()
    {
        string[] tooBig = ["train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "8", "--batch-size", "1000",
            "--checkpoint-dir", checkpoints, "--sample-length", "0"];
        var refused = CliRunner.Run(tooBig);
        Assert.Equal(ExitCodes.Error, refused.Code);
        Assert.Contains("fewer than one batch", refused.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(checkpoints), string.Join(", ", Directory.Exists(checkpoints) ? Directory.GetFileSystemEntries(checkpoints) : []));

        // A directory the user made stays, whatever happens inside it.
        Directory.CreateDirectory(checkpoints);
        Assert.Equal(ExitCodes.Error, CliRunner.Run(tooBig).Code);
        Assert.True(Directory.Exists(checkpoints));
    }

    [Fact]
    public void TemporaryFilesOfDeadProcessesAreRemovedAndOthersKept()
    {
        Directory.CreateDirectory(checkpoints);
        int dead = DeadPid();
        string[] debris = [$".latest.safetensors.{dead}.tmp", $".resume.safetensors.{dead}.tmp"];
        // pid 1 is alive (init): its name is kept though it looks like ours.
        string[] kept = [".latest.safetensors.1.tmp", ".notes.tmp", "mine.tmp", $".x.{dead}.tmp.bak"];
        foreach (var name in debris.Concat(kept)) File.WriteAllText(Path.Combine(checkpoints, name), "x");
        var r = Train("--max-steps", "4");
        Assert.True(r.Code == ExitCodes.Success, r.Err);
        Assert.Contains($"removed 2 temporary files left in {checkpoints} by killed runs", r.Out, StringComparison.Ordinal);
        foreach (var name in debris) Assert.False(File.Exists(Path.Combine(checkpoints, name)), name);
        foreach (var name in kept) Assert.True(File.Exists(Path.Combine(checkpoints, name)), name);
    }

    [Fact]
    public void ATornLastMetricsLineIsToleratedAndDroppedOnResume()
    {
        Assert.Equal(ExitCodes.Success, Train("--max-steps", "4").Code);
        string metrics = Path.Combine(checkpoints, "metrics.jsonl");
        int records = File.ReadAllLines(metrics).Length;
        File.AppendAllText(metrics, "{\"step\":5,\"epo");
        var plot = CliRunner.Run("plot", checkpoints, "--out", dir.File("a.png"));
        Assert.True(plot.Code == ExitCodes.Success, plot.Err);

        var resumed = Train("--resume", checkpoints, "--max-steps", "8");
        Assert.True(resumed.Code == ExitCodes.Success, resumed.Err);
        var lines = File.ReadAllLines(metrics);
        Assert.Equal(records + 2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("{\"step\":", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.EndsWith("}", l, StringComparison.Ordinal));

        // Anything else is named, with its line.
        File.WriteAllLines(metrics, [lines[0], "not json", lines[1]]);
        var bad = CliRunner.Run("plot", checkpoints, "--out", dir.File("b.png"));
        Assert.Equal(ExitCodes.Error, bad.Code);
        Assert.Equal($"error: '{metrics}' line 2 is not a metrics record\n", bad.Err);
    }

    private SortedDictionary<string, string> Snapshot() => new(
        Directory.GetFiles(checkpoints).Where(f => Path.GetFileName(f) != RunDirectoryLock.FileName).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(
            System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    private static int DeadPid()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "true did not exit");
        return process.Id;
    }

    public void Dispose() => dir.Dispose();
}
