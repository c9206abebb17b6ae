namespace IlgpuLstm.Cli.Bench;

/// <summary>The process's peak resident set (VmHWM on Linux), as PyTorch's side reports ru_maxrss.</summary>
internal static class PeakRss
{
    public static double MiB()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
