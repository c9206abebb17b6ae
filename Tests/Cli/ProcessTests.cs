using System.Diagnostics;
using System.Runtime.InteropServices;
using IlgpuLstm.Cli;
using IlgpuLstm.Engine.Checkpoints;

namespace IlgpuLstm.Tests.Cli;

/// <summary>
/// The ilgpu-lstm executable as a separate process: Ctrl+C and SIGTERM save and exit 130, and
/// kill -9 at random moments never leaves a torn or unloadable checkpoint.
/// </summary>
public sealed partial class ProcessTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly string corpus;

    public ProcessTests()
    {
        corpus = dir.File("tiny.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat.\nthe dog ate the log.\n", 40)));
    }

    [SkippableTheory]
    [InlineData(2, "SIGINT")]
    [InlineData(15, "SIGTERM")]
    public void ASignalFinishesTheStepSavesAndExits130(int signal, string name)
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals");
        var ck = Path.Combine(dir.Path, name);
        using var process = Start(ck);
        WaitForLine(process, "Epoch:");
        Assert.Equal(0, Kill(process.Id, signal));
        Assert.True(process.WaitForExit(60_000), "no exit after " + name);
        string rest = process.StandardOutput.ReadToEnd();
        Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
        Assert.Contains("stopped (interrupted) at step", rest, StringComparison.Ordinal);
        Assert.Contains("continue with: train --resume", rest, StringComparison.Ordinal);
        var resume = ResumeCheckpoint.Load(Path.Combine(ck, "resume.safetensors"));
        Assert.Equal(resume.Position.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ModelCheckpoint.Load(Path.Combine(ck, "latest.safetensors")).Get("step"));
    }

    [SkippableFact]
    public void KillNineAtRandomMomentsNeverLeavesATornCheckpoint()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX kill");
        var random = new Random(4);
        var ck = Path.Combine(dir.Path, "killed");
        int kills = 0;
        for (int i = 0; i < 10; i++)
        {
            using var process = Start(ck);
            WaitForLine(process, "Epoch:");
            Thread.Sleep(random.Next(0, 400));
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            kills++;
            foreach (var name in new[] { "latest.safetensors", "best.safetensors" })
                ModelCheckpoint.Load(Path.Combine(ck, name)); // throws if torn
            ResumeCheckpoint.Load(Path.Combine(ck, "resume.safetensors"));
        }
        Assert.Equal(10, kills);
    }

    private Process Start(string checkpoints)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "ilgpu-lstm.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { cli, "train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", "8",
            "--batch-size", "2", "--seq-length", "8", "--print-every", "1", "--val-frac", "0.1", "--epochs", "50",
            "--checkpoint-dir", checkpoints, "--sample-length", "0", "--overwrite" })
            info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start " + host);
    }

    private static void WaitForLine(Process process, string prefix)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException(
                "process ended early: " + process.StandardError.ReadToEnd());
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return;
        }
        throw new TimeoutException("no line starting with " + prefix);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose() => dir.Dispose();
}
