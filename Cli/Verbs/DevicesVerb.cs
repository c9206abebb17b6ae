using CommandLine;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Cli.Verbs;

[Verb("devices", HelpText = "List every accelerator ILGPU sees and which one --accelerator auto picks.")]
public sealed class DevicesOptions;

public static class DevicesVerb
{
    public static int Run(DevicesOptions options, TextWriter output)
    {
        using var context = DeviceCatalog.CreateContext();
        var (pickedDevice, pickedKind) = DeviceCatalog.Select(context, AcceleratorKind.Auto);
        var picked = pickedKind == AcceleratorKind.Cpu
            ? DeviceDescription.Host(pickedDevice, Engine.Ops.Host.WorkerPool.DefaultThreads())
            : DeviceDescription.From(pickedDevice);
        var table = new MarkdownTable("kind", "name", "memory", "warp", "max group", "multiprocessors", "auto");
        var cpuDevice = DeviceCatalog.Select(context, AcceleratorKind.Cpu).Device;
        var all = DeviceCatalog.List(context).Prepend(DeviceDescription.Host(cpuDevice, Engine.Ops.Host.WorkerPool.DefaultThreads()));
        foreach (var d in all)
            table.Add(AcceleratorNames.Of(d.Kind) + " (" + DeviceCatalog.Describe(d.Kind) + ")", d.Name,
                d.Kind is AcceleratorKind.Cpu or AcceleratorKind.IlgpuCpu ? "host memory" : $"{d.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB",
                d.WarpSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.MaxThreadsPerGroup.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.Multiprocessors.ToString(System.Globalization.CultureInfo.InvariantCulture), d == picked ? "yes" : "");
        output.Write(table);
        output.WriteLine($"--accelerator auto picks: {AcceleratorNames.Of(picked.Kind)} ({picked.Name})");
        return ExitCodes.Success;
    }
}
