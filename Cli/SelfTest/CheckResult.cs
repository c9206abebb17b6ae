namespace IlgpuLstm.Cli.SelfTest;

/// <summary>
/// One kernel compared with its float64 reference on one shape. It passes when every element's
/// error is within <c>Atol + Rtol·|reference|</c> (numpy's allclose), so a large relative error on
/// a reference near zero can pass.
/// </summary>
internal sealed record CheckResult(string Kernel, string Shape, double MaxAbsError, double MaxRelError, bool Passed,
    double Atol = 0, double Rtol = 0)
{
    public override string ToString() =>
        $"{Kernel} {Shape}: max abs {MaxAbsError:E2}, max rel {MaxRelError:E2} -> {(Passed ? "pass" : "FAIL")}";
}
