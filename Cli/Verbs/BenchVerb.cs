using System.Globalization;
using System.Text.Json;
using CommandLine;
using ILGPU.Runtime.Cuda;
using IlgpuLstm.Cli.Bench;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Cli.Verbs;

[Verb("bench", HelpText = "Benchmarks: 'bench kernels' times every kernel, 'bench train' whole training steps, at the lesson's and a small shape.")]
public sealed class BenchOptions
{
    [Value(0, MetaName = "what", Required = true, HelpText = "What to benchmark: kernels or train.")]
    public string What { get; set; } = "";

    [Option("accelerator", Default = AcceleratorKind.Auto, HelpText = AcceleratorNames.Help)]
    public AcceleratorKind Accelerator { get; set; }

    [Option("shapes", Default = "auto", HelpText = "small, lesson, all, or auto (small on the CPU, all on a GPU).")]
    public string Shapes { get; set; } = "auto";

    [Option("repeats", Default = 0, HelpText = "Timed runs per kernel (median reported); 0: 5 on the CPU, 20 on a GPU.")]
    public int Repeats { get; set; }

    [Option("json", HelpText = "Print JSON instead of a Markdown table.")]
    public bool Json { get; set; }

    [Option("ptx", HelpText = "Instead of timing, assemble every kernel with ptxas for sm_90 and list registers and shared memory.")]
    public bool Ptx { get; set; }
}

public static class BenchVerb
{
    public static int Run(BenchOptions options, TextWriter output)
    {
        if (options.What is not ("kernels" or "train"))
            throw new EngineException($"unknown benchmark '{options.What}' (known: kernels, train)");
        if (options.Repeats < 0)
            throw new EngineException("--repeats must be 0 (automatic) or positive");
        if (options.Ptx) return PtxReport(options, output);
        return options.What == "train" ? TimeTraining(options, output) : Time(options, output);
    }

    private static BenchShape[] Shapes(BenchOptions options, bool cpu) => options.Shapes switch
    {
        "small" => new[] { BenchShape.Small },
        "lesson" => [BenchShape.Lesson],
        "all" => [BenchShape.Small, BenchShape.Lesson],
        "auto" => cpu ? [BenchShape.Small] : [BenchShape.Small, BenchShape.Lesson],
        _ => throw new EngineException($"--shapes must be small, lesson, all or auto, not '{options.Shapes}'"),
    };

    private static string Header(ComputeDevice device, int repeats) =>
        $"{device.Description.Name} ({DeviceCatalog.Describe(device.Description.Kind)}), " +
        $"{DateTime.UtcNow:yyyy-MM-dd}, commit {BuildInfo.Commit()}, median of {repeats}";

    private static int TimeTraining(BenchOptions options, TextWriter output)
    {
        using var device = ComputeDevice.Open(options.Accelerator);
        bool cpu = device.Description.Kind is AcceleratorKind.Cpu or AcceleratorKind.IlgpuCpu;
        int repeats = options.Repeats > 0 ? options.Repeats : cpu ? 3 : 10;
        var results = Shapes(options, cpu)
            .SelectMany(s => new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn }.Select(c => TrainingBenchmark.Run(device, s, c, repeats)))
            .ToList();
        if (options.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { device = Header(device, repeats), results },
                new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        }
        output.WriteLine("# Training-step benchmarks: " + Header(device, repeats));
        output.WriteLine();
        var table = new MarkdownTable("shape", "cell", "parameters", "ms/step", "tokens/s", "device MiB");
        foreach (var r in results)
            table.Add(r.Shape, r.Cell, r.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                r.MedianStepMs.ToString("F1", CultureInfo.InvariantCulture), r.TokensPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                r.DeviceMiB.ToString("F1", CultureInfo.InvariantCulture));
        output.Write(table);
        return ExitCodes.Success;
    }

    private static int Time(BenchOptions options, TextWriter output)
    {
        using var device = ComputeDevice.Open(options.Accelerator);
        bool cpu = device.Description.Kind is AcceleratorKind.Cpu or AcceleratorKind.IlgpuCpu;
        var shapes = Shapes(options, cpu);
        int repeats = options.Repeats > 0 ? options.Repeats : cpu ? 5 : 20;
        var bench = new KernelBenchmarks(device, repeats);
        var results = shapes.SelectMany(bench.Run).ToList();
        string header = Header(device, repeats);
        if (options.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { device = header, results },
                new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        }
        output.WriteLine("# Kernel benchmarks: " + header);
        output.WriteLine();
        var table = new MarkdownTable("op", "shape", "version", "launch", "ms", "rate", "max error");
        foreach (var r in results)
            table.Add(r.Op, r.Shape, r.Version, r.Launch, r.MedianMs.ToString("F3", CultureInfo.InvariantCulture),
                $"{r.Rate.ToString("F2", CultureInfo.InvariantCulture)} {r.Unit}",
                r.MaxError.ToString("E1", CultureInfo.InvariantCulture));
        output.Write(table);
        return ExitCodes.Success;
    }

    private static int PtxReport(BenchOptions options, TextWriter output)
    {
        var ptxas = Ptxas.Find(out var why) ?? throw new EngineException(why);
        using var compiler = new OfflineCompiler();
        output.WriteLine($"# Kernels assembled by ptxas for sm_90 ({DateTime.UtcNow:yyyy-MM-dd}, commit {BuildInfo.Commit()})");
        output.WriteLine();
        var table = new MarkdownTable("kernel", "registers", "shared bytes", "spill stores");
        foreach (var kernel in KernelCatalog.All)
        {
            var report = Ptxas.Assemble(ptxas, compiler.Ptx(kernel, CudaArchitecture.SM_90), "sm_90");
            table.Add(kernel.Name, report.Registers.ToString(CultureInfo.InvariantCulture),
                report.SharedBytes.ToString(CultureInfo.InvariantCulture),
                report.SpillStoreBytes.ToString(CultureInfo.InvariantCulture));
        }
        output.Write(table);
        return ExitCodes.Success;
    }
}
