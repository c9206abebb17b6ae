using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
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
        Skip.IfNot(EnvSetsSignals.Value, "env cannot reset SIGINT for the child (coreutils 8.31 or later needed)");
        var ck = Path.Combine(dir.Path, name);
        using var process = Start(ck);
        WaitForLine(process, "Epoch:");
        Assert.Equal(0, Kill(process.Id, signal));
        Assert.True(process.WaitForExit(Limit), "no exit after " + name);
        string rest = process.StandardOutput.ReadToEnd();
        Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
        Assert.Contains("stopped (interrupted) at step", rest, StringComparison.Ordinal);
        Assert.Contains("continue with: train --resume", rest, StringComparison.Ordinal);
        Assert.Contains($"try it: ilgpu-lstm sample --checkpoint {Path.Combine(ck, "latest.safetensors")}", rest, StringComparison.Ordinal);
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
            // The checks below need a first save: on a loaded machine the first report can come well before it.
            if (i == 0) WaitForFile(Path.Combine(ck, "resume.safetensors"));
            Thread.Sleep(random.Next(0, 400));
            process.Kill(entireProcessTree: true);
            Assert.True(process.WaitForExit(Limit), "no exit after kill -9");
            kills++;
            foreach (var name in new[] { "latest.safetensors", "best.safetensors" })
                ModelCheckpoint.Load(Path.Combine(ck, name)); // throws if torn
            ResumeCheckpoint.Load(Path.Combine(ck, "resume.safetensors"));
        }
        Assert.Equal(10, kills);
    }

    [SkippableFact]
    public void TwoRunsStartedAtOnceIntoOneDirectoryLeaveOneOwnerUntilItDies()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX kill");
        var ck = Path.Combine(dir.Path, "shared");
        using var a = Start(ck);
        using var b = Start(ck);
        var (winner, loser) = WhoTrains(a, b);
        Assert.Equal(ExitCodes.Error, loser.ExitCode);
        string refusal = loser.StandardError.ReadToEnd();
        Assert.StartsWith($"error: '{ck}' is in use by process {winner.Id} (ilgpu-lstm train ", refusal, StringComparison.Ordinal);
        Assert.Single(refusal.TrimEnd('\n').Split('\n'));

        // kill -9 releases the lock with the process: the next run takes the directory over.
        winner.Kill(entireProcessTree: true);
        Assert.True(winner.WaitForExit(Limit), "no exit after kill -9");
        using var next = Start(ck);
        WaitForLine(next, "Epoch:");
        next.Kill(entireProcessTree: true);
        Assert.True(next.WaitForExit(Limit), "no exit after kill -9");
    }

    [SkippableFact]
    public void TheFirstCtrlCSaysItIsStoppingAndASecondSaysWhatIsKept()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals");
        Skip.IfNot(EnvSetsSignals.Value, "env cannot reset SIGINT for the child (coreutils 8.31 or later needed)");
        var ck = Path.Combine(dir.Path, "twice");
        // Steps and saves of a 1024-unit model take long enough for a second Ctrl+C to land during them.
        using var process = Start(ck, hidden: 1024, batch: 16);
        WaitForLine(process, "Epoch:");
        WaitForLine(process, "Epoch:"); // step 1 is saved by now (a report comes before its step's save)
        Assert.Equal(0, Kill(process.Id, 2));
        string first = ReadLine(process.StandardError, "answer to the first Ctrl+C on stderr");
        Assert.Equal("stopping after this step; saving... (press Ctrl+C again to quit without saving)", first);
        Assert.Equal(0, Kill(process.Id, 2));
        Assert.True(process.WaitForExit(Limit), "no exit after the second Ctrl+C");
        string second = process.StandardError.ReadToEnd();
        Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
        Assert.Matches($@"^quitting without saving the current step; kept: {Regex.Escape(ck)}/latest\.safetensors and " +
            $@"resume\.safetensors from step \d+ \(continue with: train --resume {Regex.Escape(ck)}; try it: ilgpu-lstm sample " +
            $@"--checkpoint {Regex.Escape(ck)}/latest\.safetensors\)\n$", second);
        ResumeCheckpoint.Load(Path.Combine(ck, "resume.safetensors"));
    }

    private static void WaitForFile(string path)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} not written within {Limit.TotalSeconds} s");
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// With every core busy beside it, Ctrl+C is still answered at once: the handler's line comes
    /// within 5 s (a user would press again, or give up, after that), then the step ends and the
    /// process exits 130 with its checkpoint saved.
    /// </summary>
    [SkippableFact]
    public void CtrlCIsAnsweredWithin5SecondsOnASaturatedMachine()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals");
        Skip.IfNot(EnvSetsSignals.Value, "env cannot reset SIGINT for the child (coreutils 8.31 or later needed)");
        var ck = Path.Combine(dir.Path, "busy");
        bool stop = false;
        var load = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            while (!Volatile.Read(ref stop)) Thread.SpinWait(1000);
        })
        { IsBackground = true }).ToList();
        try
        {
            load.ForEach(t => t.Start());
            using var process = Start(ck, hidden: 256, batch: 16);
            WaitForLine(process, "Epoch:");
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, Kill(process.Id, 2));
            string answer = ReadLine(process.StandardError, "answer to Ctrl+C on stderr");
            var answered = clock.Elapsed;
            Assert.Equal("stopping after this step; saving... (press Ctrl+C again to quit without saving)", answer);
            Assert.True(answered < TimeSpan.FromSeconds(5), $"Ctrl+C answered after {answered.TotalSeconds:F1} s on a saturated machine");
            Assert.True(process.WaitForExit(Limit), "no exit after Ctrl+C on a saturated machine");
            Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
            ResumeCheckpoint.Load(Path.Combine(ck, "resume.safetensors"));
        }
        finally
        {
            Volatile.Write(ref stop, true);
            load.ForEach(t => t.Join());
        }
    }

    /// <summary>SIGTERM stops a run cleanly even where SIGINT is ignored (a background job's train).</summary>
    [SkippableFact]
    public void SigtermStopsARunWhoseSigintIsIgnored()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals");
        Skip.IfNot(EnvSetsSignals.Value, "env cannot set the child's SIGINT (coreutils 8.31 or later needed)");
        var ck = Path.Combine(dir.Path, "background");
        using var process = Start(ck, ignoreSigint: true);
        WaitForLine(process, "Epoch:");
        Assert.Equal(0, Kill(process.Id, 15));
        Assert.True(process.WaitForExit(Limit), "no exit after SIGTERM");
        Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
        ResumeCheckpoint.Load(Path.Combine(ck, "resume.safetensors"));
    }

    /// <summary>Of two runs started together, the one that trains and the one refused (after it exits).</summary>
    private static (Process Winner, Process Loser) WhoTrains(Process a, Process b)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline)
        {
            if (a.HasExited) return (b, a);
            if (b.HasExited) return (a, b);
            Thread.Sleep(20);
        }
        throw new TimeoutException("neither run was refused");
    }

    /// <summary>
    /// Starts train through coreutils' env, which sets SIGINT to its default in the child (or, with
    /// <paramref name="ignoreSigint"/>, ignores it): a test process started as a background job
    /// (<c>cmd &amp;</c> in a script, <c>nohup</c>) has SIGINT ignored, every child inherits that, and
    /// .NET then installs no handler for it, so a Ctrl+C test would wait for an exit that never comes.
    /// </summary>
    private Process Start(string checkpoints, int hidden = 8, int batch = 2, bool ignoreSigint = false)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "ilgpu-lstm.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        // Without such an env (coreutils before 8.31, BSD), train starts directly; the signal tests skip.
        var info = new ProcessStartInfo(EnvSetsSignals.Value ? "env" : host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (EnvSetsSignals.Value)
        {
            info.ArgumentList.Add(ignoreSigint ? "--ignore-signal=INT" : "--default-signal=INT");
            info.ArgumentList.Add(host);
        }
        foreach (var a in new[] { cli, "train", "--corpus", corpus, "--accelerator", "cpu", "--hidden-size", $"{hidden}",
            "--batch-size", $"{batch}", "--seq-length", "8", "--print-every", "1", "--val-frac", "0.1", "--epochs", "50",
            "--checkpoint-dir", checkpoints, "--sample-length", "0", "--overwrite" })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + host);
        started.Add(process);
        return process;
    }

    /// <summary>
    /// How long any wait on a child may take before the test fails: long enough for a machine
    /// saturated many times over (a lesson-free step there still takes seconds), short of a hang.
    /// </summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Every process a test started: killed at the end, so a failed test leaves none training.</summary>
    private readonly List<Process> started = [];

    /// <summary>Whether coreutils' env can set a signal's disposition for its command (8.31 and later).</summary>
    private static readonly Lazy<bool> EnvSetsSignals = new(() =>
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("env", ["--default-signal=INT", "true"])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            return probe != null && probe.WaitForExit(Limit) && probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>One line of the stream within <paramref name="seconds"/>, or a failure that says which (never a hang).</summary>
    private static string ReadLine(StreamReader reader, string what)
    {
        var line = reader.ReadLineAsync();
        if (!line.Wait(Limit)) throw new TimeoutException($"no {what} within {Limit.TotalSeconds} s");
        return line.Result ?? throw new InvalidOperationException($"{what}: the stream ended");
    }

    private static void WaitForLine(Process process, string prefix)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline)
        {
            var read = process.StandardOutput.ReadLineAsync();
            if (!read.Wait(deadline - DateTime.UtcNow)) break;
            var line = read.Result ?? throw new InvalidOperationException(
                "process ended early: " + process.StandardError.ReadToEnd());
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return;
        }
        throw new TimeoutException($"no line starting with {prefix} within {Limit.TotalSeconds} s");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        foreach (var process in started)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
        dir.Dispose();
    }
}
