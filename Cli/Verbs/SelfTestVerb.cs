using System.Globalization;
using CommandLine;
using IlgpuLstm.Cli.SelfTest;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Cli.Verbs;

[Verb("selftest", HelpText = "Check every kernel on an accelerator against its float64 reference.")]
internal sealed class SelfTestOptions : SeededDeviceFlags
{
}

internal static class SelfTestVerb
{
    public static int Run(SelfTestOptions options, TextWriter output)
    {
        using var device = ComputeDevice.Open(options.Accelerator);
        output.WriteLine($"selftest on {DeviceCatalog.Describe(device.Description.Kind)}: {device.Description.Name} " +
            (device.HasKernels ? $"(policy: {device.Kernels.Policy})" : "(host operations)"));
        var table = new MarkdownTable("kernel", "shape", "max abs error", "max rel error", "passes within", "result");
        int failures = 0;
        foreach (var check in new KernelChecks(device, (int)(options.SeedOrDefault % int.MaxValue)).All())
        {
            if (!check.Passed) failures++;
            table.Add(check.Kernel, check.Shape, check.MaxAbsError.ToString("E2", CultureInfo.InvariantCulture),
                check.MaxRelError.ToString("E2", CultureInfo.InvariantCulture),
                check.Rtol > 0 ? $"{check.Atol.ToString("G2", CultureInfo.InvariantCulture)} + {check.Rtol.ToString("G2", CultureInfo.InvariantCulture)}·|ref|"
                    : check.Atol.ToString("G2", CultureInfo.InvariantCulture),
                check.Passed ? "pass" : "FAIL");
        }
        output.Write(table);
        output.WriteLine("A check passes when every element's error is within its tolerance (atol + rtol·|reference|, as numpy's " +
            "allclose), so a large relative error where the reference is near zero can pass.");
        output.WriteLine(failures == 0 ? "all kernels agree with their references" : $"{failures} check(s) FAILED");
        return failures == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
