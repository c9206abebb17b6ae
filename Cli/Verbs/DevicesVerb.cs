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
        var picked = DeviceDescription.From(DeviceCatalog.Select(context, AcceleratorKind.Auto));
        var table = new MarkdownTable("kind", "name", "memory", "warp", "max group", "multiprocessors", "auto");
        foreach (var d in DeviceCatalog.List(context))
            table.Add(DeviceCatalog.Describe(d.Kind), d.Name,
                d.Kind == AcceleratorKind.Cpu ? "host memory" : $"{d.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB",
                d.WarpSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.MaxThreadsPerGroup.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.Multiprocessors.ToString(System.Globalization.CultureInfo.InvariantCulture), d == picked ? "yes" : "");
        output.Write(table);
        output.WriteLine($"--accelerator auto picks: {DeviceCatalog.Describe(picked.Kind)} ({picked.Name})");
        return ExitCodes.Success;
    }
}
