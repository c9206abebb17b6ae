using System.Diagnostics;

namespace IlgpuLstm.Cli.Bench;

/// <summary>The commit a benchmark table comes from, read from git when run inside a checkout.</summary>
internal static class BuildInfo
{
    public static string Commit()
    {
        try
        {
            var info = new ProcessStartInfo("git", ["rev-parse", "--short", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            using var process = Process.Start(info);
            if (process is null) return "unknown";
            string commit = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown"; // no git on this machine (e.g. a published GPU bundle)
        }
    }
}
