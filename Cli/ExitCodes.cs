namespace IlgpuLstm.Cli;

/// <summary>The process exit codes the README documents.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Bad input, file, checkpoint, or a device problem: one <c>error:</c> line on stderr.</summary>
    public const int Error = 1;
    /// <summary>The command line itself is wrong (unknown verb or flag, bad value).</summary>
    public const int Usage = 2;
    /// <summary>selftest found a kernel that disagrees with its reference.</summary>
    public const int CheckFailed = 3;
    /// <summary>Interrupted (Ctrl+C / SIGTERM) after saving what there was to save.</summary>
    public const int Interrupted = 130;
}
