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

[Verb("bench", HelpText = "Benchmarks: 'bench kernels' times every kernel, 'bench train' whole training steps, 'bench sample' characters per second, 'bench gemm' GEMM against the FMA peak.")]
internal sealed class BenchOptions : DeviceFlags
{
    [Value(0, MetaName = "what", Required = true, HelpText = "What to benchmark: kernels, train, sample or gemm.")]
    public string What { get; set; } = "";

    [Option("cell", HelpText = "train, sample: lstm, gru or rnn (train: all three unless given).")]
    public CellKind? Cell { get; set; }

    [Option("hidden-size", HelpText = "train, sample: hidden units per layer (instead of --shapes).")]
    public int? HiddenSize { get; set; }

    [Option("num-layers", HelpText = "train, sample: recurrent layers (default 2).")]
    public int? NumLayers { get; set; }

    [Option("batch-size", HelpText = "train: sequences per batch (default 32).")]
    public int? BatchSize { get; set; }

    [Option("seq-length", HelpText = "train: characters per sequence (default 50).")]
    public int? SeqLength { get; set; }

    [Option("dropout", HelpText = "train: dropout probability (default 0.5).")]
    public float? Dropout { get; set; }

    [Option("length", HelpText = "sample: characters to generate (default 2000).")]
    public int Length { get; set; } = 2000;

    [Option("shapes", HelpText = "small, lesson, all, or auto (small on the CPU, all on a GPU) (default auto).")]
    public string Shapes { get; set; } = "auto";

    [Option("repeats", HelpText = "Timed runs per kernel or training step (median reported); 0: automatic (kernels: 5 on the CPU, 20 on a GPU; train: steps filling about 4 s, at least 20, or 5 for steps of 200 ms or more) (default 0).")]
    public int Repeats { get; set; } = 0;

    [Option("profile", HelpText = "train: where a step's time goes, per phase (one-hot, input projection, recurrent steps, cell, dropout, output layer, softmax, backward steps, weight gradients, clip, optimizer): ms, GFLOP/s and share of the measured FMA peak.")]
    public bool Profile { get; set; }

    [Option("json", HelpText = "Print JSON instead of a Markdown table.")]
    public bool Json { get; set; }

    [Option("ptx", HelpText = "Instead of timing, assemble every kernel with ptxas for sm_80 and sm_90 and read its SASS with cuobjdump: registers, spills, shared memory, occupancy (256-thread groups on an A100 / H100), FFMAs and shared loads per FFMA in the hot loop, global and shared access widths.")]
    public bool Ptx { get; set; }

    [Option("out", HelpText = "With --ptx: also write each kernel's PTX, cubin and SASS into this directory.")]
    public string? Out { get; set; }
}

internal static class BenchVerb
{
    public static int Run(BenchOptions options, TextWriter output)
    {
        if (options.What is not ("kernels" or "train" or "sample" or "gemm"))
            throw new UsageException($"unknown benchmark '{options.What}' (known: kernels, train, sample, gemm)");
        if (options.Repeats < 0)
            throw new UsageException("--repeats must be 0 (automatic) or positive");
        if (options.Ptx) return PtxReport(options, output);
        return options.What switch
        {
            "train" => options.Profile ? ProfileTraining(options, output) : TimeTraining(options, output),
            "sample" => TimeSampling(options, output),
            "gemm" => GemmBenchmark.Run(options, output),
            _ => Time(options, output),
        };
    }

    /// <summary>The shape given by flags, or null when none is given (then --shapes decides).</summary>
    private static BenchShape? CustomShape(BenchOptions o)
    {
        if (o.HiddenSize is null && o.NumLayers is null && o.BatchSize is null && o.SeqLength is null && o.Dropout is null)
            return null;
        var shape = new BenchShape("custom", o.BatchSize ?? 32, o.SeqLength ?? 50, o.HiddenSize ?? 128, 83,
            o.NumLayers ?? 2, o.Dropout ?? 0.5f);
        shape.Validate();
        return shape;
    }

    private static int TimeSampling(BenchOptions options, TextWriter output)
    {
        if (options.Length < 1) throw new UsageException($"--length must be positive, got {options.Length}");
        using var device = ComputeDevice.Open(options.Accelerator);
        var shape = CustomShape(options) ?? BenchShape.Small;
        var cell = options.Cell ?? CellKind.Lstm;
        var result = SamplingBenchmark.Run(device, shape, cell, options.Length);
        if (options.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { device = Header(device, 1), result }, JsonOptions));
            return ExitCodes.Success;
        }
        output.WriteLine("# Sampling benchmark: " + Header(device, 1));
        output.WriteLine();
        var table = new MarkdownTable("model", "cell", "characters", "chars/s");
        table.Add(result.Model, result.Cell, result.Characters.ToString(CultureInfo.InvariantCulture),
            result.CharsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
        output.Write(table);
        return ExitCodes.Success;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private static BenchShape[] Shapes(BenchOptions options, bool cpu) => options.Shapes switch
    {
        "small" => new[] { BenchShape.Small },
        "lesson" => [BenchShape.Lesson],
        "all" => [BenchShape.Small, BenchShape.Lesson],
        "auto" => cpu ? [BenchShape.Small] : [BenchShape.Small, BenchShape.Lesson],
        _ => throw new UsageException($"--shapes must be small, lesson, all or auto, not '{options.Shapes}'"),
    };

    private static string Header(ComputeDevice device, int repeats) =>
        $"{DeviceCatalog.Label(device.Description)}, " +
        $"{DateTime.UtcNow:yyyy-MM-dd}, commit {BuildInfo.Commit()}, median of {repeats}";

    private static string TrainingHeader(ComputeDevice device, int repeats) =>
        $"{DeviceCatalog.Label(device.Description)}, {DateTime.UtcNow:yyyy-MM-dd}, commit {BuildInfo.Commit()}, " +
        (repeats > 0 ? $"{repeats} timed steps a shape" : "timed steps filling about 4 s a shape (at least 20, or 5 when a step takes 200 ms or more)") +
        " after 3 warm-up steps";

    /// <summary>bench train --profile: per-phase time of a step at each shape and cell.</summary>
    private static int ProfileTraining(BenchOptions options, TextWriter output)
    {
        using var device = ComputeDevice.Open(options.Accelerator);
        bool cpu = device.Description.Kind is AcceleratorKind.Cpu or AcceleratorKind.IlgpuCpu;
        PhaseProfile? profile = null;
        device.Intercept(ops => profile = new PhaseProfile(ops, device.Synchronize));
        var custom = CustomShape(options);
        var shapes = custom != null ? [custom] : Shapes(options, cpu);
        CellKind[] cells = options.Cell is { } one ? [one] : [CellKind.Lstm];
        int steps = options.Repeats > 0 ? options.Repeats : 5;
        // The FMA peak of this process's threads, for the share each phase reaches (CPU only).
        double? peak = device.Description.Kind == AcceleratorKind.Cpu ? FmaPeak.GflopsPerSecond(device.Description.Multiprocessors) : null;
        var profiles = shapes.SelectMany(s => cells.Select(c => TrainingBenchmark.Profile(device, profile!, s, c, steps))).ToList();
        string header = $"{DeviceCatalog.Label(device.Description)}, {DateTime.UtcNow:yyyy-MM-dd}, commit {BuildInfo.Commit()}, " +
            $"mean of {steps} profiled steps after 2 warm-up steps" + (peak is { } pk ? $"; measured FP32 FMA peak {pk:F0} GFLOP/s" : "");
        if (options.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { device = header, peak_gflops = peak, profiles }, JsonOptions));
            return ExitCodes.Success;
        }
        output.WriteLine("# Where a training step's time goes: " + header);
        output.WriteLine("Every operation waits for the device before and after while profiled; on a GPU that removes their overlap.");
        foreach (var p in profiles)
        {
            double flops = p.Phases.Sum(f => f.Gflops * f.Ms * 1e6);
            output.WriteLine();
            output.WriteLine($"## {p.Shape} {p.Cell}: {p.StepMs.ToString("F1", CultureInfo.InvariantCulture)} ms a step profiled, " +
                $"{(flops / 1e9).ToString("F1", CultureInfo.InvariantCulture)} GFLOP, {(flops / (p.StepMs * 1e6)).ToString("F1", CultureInfo.InvariantCulture)} GFLOP/s over the step" +
                (peak is { } k ? $" ({(flops / (p.StepMs * 1e6) / k).ToString("P0", CultureInfo.InvariantCulture)} of peak)" : ""));
            output.WriteLine();
            var table = new MarkdownTable("phase", "calls/step", "ms/step", "share of step", "GFLOP/s", "of FMA peak");
            foreach (var f in p.Phases)
                table.Add(f.Name, f.Calls.ToString(CultureInfo.InvariantCulture), f.Ms.ToString("F2", CultureInfo.InvariantCulture),
                    (f.Ms / p.StepMs).ToString("P1", CultureInfo.InvariantCulture),
                    f.Gflops > 0 ? f.Gflops.ToString("F1", CultureInfo.InvariantCulture) : "",
                    f.Gflops > 0 && peak is { } q ? (f.Gflops / q).ToString("P0", CultureInfo.InvariantCulture) : "");
            output.Write(table);
        }
        return ExitCodes.Success;
    }

    private static int TimeTraining(BenchOptions options, TextWriter output)
    {
        using var device = ComputeDevice.Open(options.Accelerator);
        bool cpu = device.Description.Kind is AcceleratorKind.Cpu or AcceleratorKind.IlgpuCpu;
        // 0: as many steps as fill about 4 s a shape (at least 20 small, 5 large; see Timing.Measure).
        int repeats = options.Repeats;
        var custom = CustomShape(options);
        var shapes = custom != null ? [custom] : Shapes(options, cpu);
        CellKind[] cells = options.Cell is { } one ? [one] : [CellKind.Lstm, CellKind.Gru, CellKind.Rnn];
        var results = shapes.SelectMany(s => cells.Select(c => TrainingBenchmark.Run(device, s, c, repeats))).ToList();
        if (options.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { device = TrainingHeader(device, repeats), results }, JsonOptions));
            return ExitCodes.Success;
        }
        output.WriteLine("# Training-step benchmarks: " + TrainingHeader(device, repeats));
        output.WriteLine();
        var table = new MarkdownTable("shape", "cell", "parameters", "steps timed", "ms/step min", "median", "max", "tokens/s (median)",
            "device MiB", "peak RSS MiB", "launches/step", "syncs/step", "allocations/step");
        string F1(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        foreach (var r in results)
            table.Add(r.Shape, r.Cell, r.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                r.TimedSteps.ToString(CultureInfo.InvariantCulture), F1(r.MinStepMs), F1(r.MedianStepMs), F1(r.MaxStepMs),
                r.TokensPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                r.DeviceMib.ToString("F1", CultureInfo.InvariantCulture), r.PeakRssMib.ToString("F0", CultureInfo.InvariantCulture),
                r.LaunchesPerStep.ToString("F0", CultureInfo.InvariantCulture), r.SyncsPerStep.ToString("F0", CultureInfo.InvariantCulture),
                r.AllocationsPerStep.ToString("F0", CultureInfo.InvariantCulture));
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
            output.WriteLine(JsonSerializer.Serialize(new { device = header, results }, JsonOptions));
            return ExitCodes.Success;
        }
        output.WriteLine("# Kernel benchmarks: " + header);
        output.WriteLine();
        var table = new MarkdownTable("op", "shape", "version", "launch", "ms", "rate", "max error");
        foreach (var r in results)
            table.Add(r.Op, r.Shape, r.Version, r.Launch, r.MedianMs.ToString("F3", CultureInfo.InvariantCulture),
                $"{r.Rate.ToString(r.Rate >= 1000 ? "N0" : "F2", CultureInfo.InvariantCulture)} {r.Unit}",
                r.MaxError.ToString("E1", CultureInfo.InvariantCulture));
        output.Write(table);
        return ExitCodes.Success;
    }

    private static int PtxReport(BenchOptions options, TextWriter output)
    {
        var ptxas = Ptxas.Find(out var why) ?? throw new EngineException(why);
        var cuobjdump = Sass.Find(ptxas) ?? throw new EngineException(
            $"bench --ptx reads SASS with NVIDIA's cuobjdump: none beside {ptxas}, on PATH or in {Sass.Variable}; .ci/fetch-ptxas puts one beside ptxas");
        if (options.Out != null) Directory.CreateDirectory(options.Out);
        string where = options.Out ?? Directory.CreateTempSubdirectory("ilgpu-lstm-sass").FullName;
        try
        {
            return PtxTable(options, output, ptxas, cuobjdump, where);
        }
        finally
        {
            if (options.Out is null) Directory.Delete(where, recursive: true);
        }
    }

    private static int PtxTable(BenchOptions options, TextWriter output, string ptxas, string cuobjdump, string where)
    {
        using var compiler = new OfflineCompiler();
        output.WriteLine($"# Kernels assembled by ptxas for sm_80 and sm_90, read with cuobjdump ({DateTime.UtcNow:yyyy-MM-dd}, commit {BuildInfo.Commit()})");
        output.WriteLine();
        output.WriteLine("Occupancy: 256-thread groups (every GPU launch) on an A100 (sm_80) or H100 (sm_90). Counts are static");
        output.WriteLine("instructions; the hot loop is the innermost loop with the most FFMAs (its per-iteration mix).");
        output.WriteLine();
        output.WriteLine("Loads and stores are the whole kernel's: global loads (LDG, or LD.E through a generic address), of which");
        output.WriteLine("generic, their mean width, and stores (global or generic), shared stores (STS) and barriers.");
        output.WriteLine();
        var table = new MarkdownTable("kernel", "target", "registers", "spill bytes", "shared bytes", "occupancy", "instructions",
            "hot loop FFMA", "hot loop LDS per FFMA", "hot loop shared cycles per FFMA", "LDS bits", "loads (generic)", "load bits", "stores", "STS", "BAR");
        var hotLoads = new Dictionary<string, Dictionary<string, double>>();
        foreach (var kernel in KernelCatalog.All)
            foreach (var (arch, gpu) in new[] { (CudaArchitecture.SM_80, GpuLimits.A100), (CudaArchitecture.SM_90, GpuLimits.H100) })
            {
                string stem = $"{kernel.Name}.{gpu.Architecture}";
                var ptx = compiler.Ptx(kernel, arch);
                var cubin = Path.Combine(where, stem + ".cubin");
                var report = Ptxas.Assemble(ptxas, ptx, gpu.Architecture, cubin);
                var sass = Sass.Disassemble(cuobjdump, cubin);
                if (options.Out != null)
                {
                    File.WriteAllText(Path.Combine(options.Out, stem + ".ptx"), ptx);
                    File.WriteAllText(Path.Combine(options.Out, stem + ".sass"), sass);
                }
                var code = Sass.Parse(sass);
                var whole = Sass.MixOf(code);
                var hot = Sass.HotLoop(code) is { } loop ? Sass.MixOf(loop) : null;
                var (groups, occupancy, limit) = gpu.Occupancy(256, report.Registers, report.SharedBytes);
                if (hot is { Ffma: > 0 })
                    (hotLoads.TryGetValue(gpu.Architecture, out var byKernel) ? byKernel : hotLoads[gpu.Architecture] = [])[kernel.Name] = hot.SharedCyclesPerFfma;
                table.Add(kernel.Name, gpu.Architecture, Invariant(report.Registers), Invariant(report.SpillStoreBytes), Invariant(report.SharedBytes),
                    $"{occupancy:P0} ({groups} groups, {limit})", Invariant(whole.Instructions),
                    hot is null ? "no loop" : Invariant(hot.Ffma), Ratio(hot?.SharedLoadsPerFfma), Ratio(hot?.SharedCyclesPerFfma), Bits(whole.SharedLoadBits),
                    $"{whole.GlobalLoads} ({whole.GenericLoads})", Bits(whole.GlobalLoadBits), Invariant(whole.Stores),
                    Invariant(whole.SharedStores), Invariant(whole.Barriers));
            }
        output.Write(table);
        foreach (var gpu in new[] { GpuLimits.H100, GpuLimits.A100 })
        {
            output.WriteLine();
            output.WriteLine($"## Model of the lesson's training step on an {gpu.Name} ({gpu.Multiprocessors} SMs, {gpu.PeakFp32Tflops} TFLOP/s FP32, {gpu.MemoryTBps} TB/s)");
            output.WriteLine();
            output.WriteLine("A floor for this code: GEMMs at the issue rate their hot loop's shared loads allow (4 FFMA but 128 bytes of");
            output.WriteLine("shared loads a cycle per multiprocessor: a 32- or 64-bit warp-wide load takes one cycle, a 128-bit one two),");
            output.WriteLine($"elementwise kernels at memory bandwidth, at least {GpuStepModel.LaunchFloorMicroseconds} µs a launch;");
            output.WriteLine("latency, bank conflicts, partial waves and host launch overhead are not modelled.");
            output.WriteLine();
            output.Write(GpuStepModel.Table(GpuStepModel.Lesson(gpu, hotLoads.GetValueOrDefault(gpu.Architecture) ?? [])));
        }
        if (options.Out != null) output.WriteLine($"\nPTX, cubin and SASS of every kernel: {options.Out}");
        return ExitCodes.Success;

        static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
        static string Ratio(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
        static string Bits(double value) => double.IsFinite(value) ? value.ToString("F0", CultureInfo.InvariantCulture) : "-";
    }
}
