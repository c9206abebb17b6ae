using System.Globalization;
using CommandLine;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Ops.Host;

namespace IlgpuLstm.Cli.Verbs;

[Verb("devices", HelpText = "List every accelerator (the host path, ILGPU's CPU accelerator, GPUs) and which one --accelerator auto picks.")]
internal sealed class DevicesOptions
{
}

internal static class DevicesVerb
{
    public static int Run(DevicesOptions options, TextWriter output)
    {
        using var context = DeviceCatalog.CreateContext();
        var (pickedDevice, pickedKind) = DeviceCatalog.Select(context, AcceleratorKind.Auto);
        var cpuDevice = DeviceCatalog.Select(context, AcceleratorKind.Cpu).Device;
        var host = DeviceDescription.Host(cpuDevice, WorkerPool.DefaultThreads());
        var all = new List<DeviceDescription> { host };
        foreach (var device in context.Devices)
        {
            var d = DeviceDescription.From(device);
            if (d.WarpSize == 0)
            {
                // OpenCL devices of vendors ILGPU does not know (pocl) are asked through a kernel.
                using var accelerator = device.CreateAccelerator(context);
                d = d.WithWarpOf(accelerator);
            }
            all.Add(d);
        }
        var picked = pickedKind == AcceleratorKind.Cpu ? host : all.First(d => d.Name == pickedDevice.Name && d.Kind == pickedKind);
        var table = new MarkdownTable("accelerator", "type", "name", "memory", "warp", "max group", "multiprocessors", "auto");
        foreach (var d in all)
            table.Add(AcceleratorNames.Of(d.Kind) + " (" + DeviceCatalog.Describe(d.Kind) + ")", d.IsCpu ? "CPU" : "GPU", d.Name,
                d.Kind is AcceleratorKind.Cpu or AcceleratorKind.IlgpuCpu ? "host memory" : $"{d.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB",
                d.WarpSize.ToString(CultureInfo.InvariantCulture), d.MaxThreadsPerGroup.ToString(CultureInfo.InvariantCulture),
                d.Multiprocessors.ToString(CultureInfo.InvariantCulture), d == picked ? "yes" : "");
        output.Write(table);
        output.WriteLine($"--accelerator auto picks: {AcceleratorNames.Of(picked.Kind)} ({picked.Name})");
        if (!all.Any(d => d.Kind == AcceleratorKind.Cuda)) output.WriteLine($"no CUDA device: {CudaProbe.Diagnose()}");
        return ExitCodes.Success;
    }
}
