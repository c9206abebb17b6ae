using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IlgpuLstm.Engine.Device;

/// <summary>What ptxas -v reports for one kernel.</summary>
internal sealed record PtxasReport(string Architecture, int Registers, int SharedBytes, int SpillStoreBytes, string Log);

/// <summary>
/// Runs NVIDIA's PTX assembler on generated PTX to prove it becomes GPU machine code, and reads
/// registers and shared memory from its <c>-v</c> output. ptxas is found through the
/// <c>ILGPU_LSTM_PTXAS</c> variable (which .ci/run sets after unpacking Debian's
/// nvidia-cuda-toolkit into a cache), then PATH.
/// </summary>
internal static partial class Ptxas
{
    public const string Variable = "ILGPU_LSTM_PTXAS";

    /// <summary>Path of a runnable ptxas, or null with the reason in <paramref name="why"/>.</summary>
    public static string? Find(out string why)
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(configured))
        {
            why = File.Exists(configured) ? "" : $"{Variable}={configured} does not exist";
            return File.Exists(configured) ? configured : null;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "ptxas");
            if (File.Exists(candidate))
            {
                why = "";
                return candidate;
            }
        }
        why = $"ptxas not found: set {Variable} or put it on PATH (.ci/run fetches it from Debian's nvidia-cuda-toolkit)";
        return null;
    }

    /// <summary>
    /// Assembles <paramref name="ptx"/> for <paramref name="architecture"/> (e.g. sm_90); throws with
    /// ptxas's log on failure. <paramref name="cubin"/>: where to keep the machine code (null: nowhere).
    /// </summary>
    public static PtxasReport Assemble(string ptxas, string ptx, string architecture, string? cubin = null)
    {
        var dir = Directory.CreateTempSubdirectory("ilgpu-lstm-ptx");
        try
        {
            var input = Path.Combine(dir.FullName, "kernel.ptx");
            File.WriteAllText(input, ptx);
            var info = new ProcessStartInfo(ptxas, ["-arch=" + architecture, "-v", input, "-o", Path.Combine(dir.FullName, "kernel.cubin")])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + ptxas);
            var stdout = process.StandardOutput.ReadToEndAsync();
            string log = process.StandardError.ReadToEnd();
            process.WaitForExit();
            log += stdout.Result;
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"ptxas -arch={architecture} failed ({process.ExitCode}): {log.Trim()}");
            if (cubin != null) File.Copy(Path.Combine(dir.FullName, "kernel.cubin"), cubin, overwrite: true);
            return new PtxasReport(architecture, Number(RegistersPattern(), log), Number(SharedPattern(), log),
                Number(SpillPattern(), log), log);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static int Number(Regex pattern, string log)
    {
        var match = pattern.Match(log);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"Used (\d+) registers")]
    private static partial Regex RegistersPattern();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex SharedPattern();

    [GeneratedRegex(@"(\d+) bytes spill stores")]
    private static partial Regex SpillPattern();
}
