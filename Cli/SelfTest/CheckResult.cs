namespace IlgpuLstm.Cli.SelfTest;

/// <summary>One kernel compared with its float64 reference on one shape.</summary>
internal sealed record CheckResult(string Kernel, string Shape, double MaxAbsError, double MaxRelError, bool Passed)
{
    public override string ToString() =>
        $"{Kernel} {Shape}: max abs {MaxAbsError:E2}, max rel {MaxRelError:E2} -> {(Passed ? "pass" : "FAIL")}";
}
