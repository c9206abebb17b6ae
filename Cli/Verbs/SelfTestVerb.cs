using System.Globalization;
using CommandLine;
using IlgpuLstm.Cli.SelfTest;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Cli.Verbs;

[Verb("selftest", HelpText = "Check every kernel on an accelerator against its float64 reference.")]
internal sealed class SelfTestOptions : DeviceFlags
{
    [CommandLine.Text.Usage(ApplicationAlias = "ilgpu-lstm")]
    public static IEnumerable<CommandLine.Text.Example> Examples => [new("check every kernel on the GPU", new SelfTestOptions { Accelerator = AcceleratorKind.Cuda })];

    [Option("seed", Default = 1234, HelpText = "Seed of the random inputs.")]
    public int Seed { get; set; }
}

internal static class SelfTestVerb
{
    public static int Run(SelfTestOptions options, TextWriter output)
    {
        using var device = ComputeDevice.Open(options.Accelerator);
        output.WriteLine($"selftest on {DeviceCatalog.Describe(device.Description.Kind)}: {device.Description.Name} " +
            (device.HasKernels ? $"(policy: {device.Kernels.Policy})" : "(host operations)"));
        var table = new MarkdownTable("kernel", "shape", "max abs error", "max rel error", "result");
        int failures = 0;
        foreach (var check in new KernelChecks(device, options.Seed).All())
        {
            if (!check.Passed) failures++;
            table.Add(check.Kernel, check.Shape, check.MaxAbsError.ToString("E2", CultureInfo.InvariantCulture),
                check.MaxRelError.ToString("E2", CultureInfo.InvariantCulture), check.Passed ? "pass" : "FAIL");
        }
        output.Write(table);
        output.WriteLine(failures == 0 ? "all kernels agree with their references" : $"{failures} check(s) FAILED");
        return failures == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
