using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Cli.SelfTest;
using IlgpuLstm.Cli.Verbs;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// GEMM at the shapes a training step runs, each checked against the float64 reference first,
/// with its rate as a share of the machine's measured FMA peak (<see cref="FmaPeak"/>, CPU paths).
/// </summary>
internal static class GemmBenchmark
{
    /// <summary>(what, transA, transB, M, N, K): op(A) is M x K, op(B) K x N.</summary>
    private static readonly (string What, bool TransA, bool TransB, int M, int N, int K)[] Cases =
    [
        ("h·W_hhᵀ, one time step (B 32, H 128)", false, true, 32, 512, 128),
        ("h·W_hhᵀ as the fused step runs it, h·(W_hhᵀ)", false, false, 32, 512, 128),
        ("dh += dG·W_hh, one step back", false, false, 32, 128, 512),
        ("x·W_ihᵀ, 1,600 rows", false, true, 1600, 512, 128),
        ("dW_hh += dGᵀ·h over 1,600 rows", true, false, 512, 128, 1600),
        ("dx = dG·W_ih over 1,600 rows", false, false, 1600, 128, 512),
        ("x·W_ihᵀ, the lesson's 12,800 rows", false, true, 12800, 2048, 512),
        ("dW_ih += dGᵀ·x, the lesson's 12,800 rows", true, false, 2048, 512, 12800),
        ("dx = dG·W_ih, the lesson's 12,800 rows", false, false, 12800, 512, 2048),
        ("dh += dG·W_hh, one lesson step back", false, false, 128, 512, 2048),
    ];

    public static int Run(BenchOptions options, TextWriter output)
    {
        using var device = ComputeDevice.Open(options.Accelerator);
        int repeats = options.Repeats > 0 ? options.Repeats : 7;
        bool cpu = device.Accelerator.AcceleratorType == AcceleratorType.CPU;
        double peak = cpu ? FmaPeak.GflopsPerSecond(device.Description.Kind == AcceleratorKind.Cpu
            ? device.Description.Multiprocessors : Environment.ProcessorCount) : double.NaN;
        output.WriteLine($"# GEMM: {DeviceCatalog.Label(device.Description)}, " +
            $"{DateTime.UtcNow:yyyy-MM-dd}, commit {BuildInfo.Commit()}, median of {repeats}" +
            (cpu ? $"; measured FP32 FMA peak {peak:F0} GFLOP/s" : ""));
        output.WriteLine();
        var table = new MarkdownTable("GEMM", "M x N x K", "ms", "GFLOP/s", "of peak", "max error");
        var random = new Random(3);
        var checks = new KernelChecks(device, 11);
        foreach (var (what, ta, tb, m, n, k) in Cases)
        {
            var check = checks.Gemm(device.HasKernels ? device.Kernels.Policy.Gemm : null,
                ta, tb, Math.Min(m, 67), Math.Min(n, 45), Math.Min(k, 33), true, 1f);
            using var a = Random(device.Accelerator, (long)m * k, random);
            using var b = Random(device.Accelerator, (long)k * n, random);
            using var c = Random(device.Accelerator, (long)m * n, random);
            int lda = ta ? m : k, ldb = tb ? k : n;
            double ms = Timing.MedianMs(device, repeats,
                () => device.Ops.Gemm(ta, tb, m, n, k, 1f, a.View, lda, b.View, ldb, 0f, c.View, n));
            double gflops = 2.0 * m * n * k / (ms * 1e6);
            table.Add(what, $"{m}x{n}x{k}", ms.ToString("F3", CultureInfo.InvariantCulture),
                gflops.ToString("F1", CultureInfo.InvariantCulture),
                cpu ? (gflops / peak).ToString("P0", CultureInfo.InvariantCulture) : "",
                check.Passed ? check.MaxAbsError.ToString("E1", CultureInfo.InvariantCulture) : "FAIL");
        }
        output.Write(table);
        output.WriteLine();
        output.Write(FusedSteps(device, repeats, peak, cpu, random));
        output.WriteLine();
        output.Write(BackwardSteps(device, repeats, peak, cpu, random));
        output.WriteLine();
        output.Write(ForwardSequences(device, repeats, peak, cpu, random));
        output.WriteLine();
        output.Write(BackwardSequences(device, repeats, peak, cpu, random));
        return ExitCodes.Success;
    }

    /// <summary>(cell, batch, hidden): the time steps a training step runs T times per layer, each way.</summary>
    private static readonly (CellKind Cell, int Batch, int Hidden)[] Steps =
    [
        (CellKind.Lstm, 32, 128),
        (CellKind.Gru, 32, 128),
        (CellKind.Lstm, 128, 512),
        (CellKind.Gru, 128, 512),
    ];

    /// <summary>
    /// One fused recurrent forward step (h·W_hhᵀ + b_hh, then the cell) at the shapes training runs:
    /// the per-time-step GEMM with its epilogue, as training runs it where the time loop is not one
    /// operation (the lesson's shape; <see cref="ForwardSequences"/> for the others).
    /// </summary>
    private static MarkdownTable FusedSteps(ComputeDevice device, int repeats, double peak, bool cpu, Random random) =>
        StepTable("fused forward time step", device, repeats, peak, cpu, random, (buffers, cell, batch, hidden) =>
        {
            int g = cell.Gates() * hidden;
            var w = buffers.Random((long)g * hidden);
            var prepared = buffers.Output(device.Ops.RecurrentWeightsLength(cell, hidden));
            var bias = buffers.Random(g);
            var h = buffers.Random((long)batch * hidden);
            var gx = buffers.Random((long)batch * g);
            var gh = buffers.Output((long)batch * g);
            var cPrev = buffers.Random((long)batch * hidden);
            var c = buffers.Output((long)batch * hidden);
            var hNext = buffers.Output((long)batch * hidden);
            device.Ops.PrepareRecurrentWeights(cell, w, prepared, hidden);
            return () => device.Ops.RecurrentForwardStep(cell, h, prepared, bias, gx, gh, cPrev, c, hNext, batch, hidden);
        });

    /// <summary>Time steps of a whole forward sequence (<see cref="ForwardSequences"/>): the small lesson's T.</summary>
    private const int SequenceSteps = 50;

    /// <summary>
    /// The fused forward steps where the device runs a layer's whole time loop as one operation
    /// (IOps.RecurrentForwardSequence: on the host, W_hh small enough to stay in L2), per step.
    /// The cell overwrites gx with its gates, so later repeats start from those: the same work.
    /// </summary>
    private static MarkdownTable ForwardSequences(ComputeDevice device, int repeats, double peak, bool cpu, Random random) =>
        StepTable($"forward time step within a {SequenceSteps}-step sequence", device, repeats, peak, cpu, random,
            (buffers, cell, batch, hidden) =>
            {
                int g = cell.Gates() * hidden, t = SequenceSteps;
                var w = buffers.Random((long)g * hidden);
                var prepared = buffers.Output(device.Ops.RecurrentWeightsLength(cell, hidden));
                var bias = buffers.Random(g);
                var hs = buffers.Random((long)(t + 1) * batch * hidden);
                var gx = buffers.Random((long)t * batch * g);
                var gh = buffers.Output((long)t * batch * g);
                var cs = buffers.Random((long)(t + 1) * batch * hidden);
                device.Ops.PrepareRecurrentWeights(cell, w, prepared, hidden);
                Action run = () => device.Ops.RecurrentForwardSequence(cell, hs, prepared, bias, gx, gh, cs, batch, hidden, t);
                return device.Ops.RecurrentForwardSequence(cell, hs, prepared, bias, gx, gh, cs, batch, hidden, t) ? run : null;
            }, SequenceSteps);

    /// <summary>
    /// The backward time loop where the device runs it as one operation (IOps.RecurrentBackwardSequence),
    /// per step: the cell's backward, then dh_{t-1} += dG_t·W_hh. dh accumulates over repeats; the
    /// values do not change the work.
    /// </summary>
    private static MarkdownTable BackwardSequences(ComputeDevice device, int repeats, double peak, bool cpu, Random random) =>
        StepTable($"backward time step within a {SequenceSteps}-step sequence", device, repeats, peak, cpu, random,
            (buffers, cell, batch, hidden) =>
            {
                int g = cell.Gates() * hidden, t = SequenceSteps;
                long bh = (long)batch * hidden, bg = (long)batch * g;
                var w = buffers.Random((long)g * hidden);
                var gates = buffers.Random(t * bg);
                var gh = buffers.Random(t * bg);
                var hs = buffers.Random((t + 1) * bh);
                var cs = buffers.Random((t + 1) * bh);
                var dhs = buffers.Random(t * bh);
                var dc = buffers.Random(bh);
                var dGx = buffers.Output(t * bg);
                var dGh = cell == CellKind.Gru ? buffers.Output(t * bg) : dGx;
                var dh0 = buffers.Output(bh);
                Func<bool> run = () => device.Ops.RecurrentBackwardSequence(cell, gates, gh, hs, cs, dhs, dc, dGx, dGh, dh0, w,
                    batch, hidden, t);
                return run() ? () => run() : null;
            }, SequenceSteps);

    /// <summary>
    /// One step back, dh_{t-1} += dG_t·W_hh, as training's per-step path runs it: W_hh prepared once
    /// per backward pass (packed where its rows lie far apart), then one call a time step.
    /// </summary>
    private static MarkdownTable BackwardSteps(ComputeDevice device, int repeats, double peak, bool cpu, Random random) =>
        StepTable("backward time step, W_hh prepared once", device, repeats, peak, cpu, random, (buffers, cell, batch, hidden) =>
        {
            int g = cell.Gates() * hidden;
            var w = buffers.Random((long)g * hidden);
            var prepared = buffers.Output(device.Ops.BackwardRecurrentWeightsLength(g, hidden));
            var dG = buffers.Random((long)batch * g);
            var dh = buffers.Random((long)batch * hidden);
            device.Ops.PrepareBackwardRecurrentWeights(w, prepared, g, hidden);
            return () => device.Ops.RecurrentBackwardStep(dG, w, prepared, dh, batch, g, hidden);
        });

    /// <summary>
    /// Times one time step per shape of <see cref="Steps"/> (a B x G x H product with whatever rides
    /// along), <paramref name="setUp"/> allocating its operands and returning what to time, which
    /// runs <paramref name="steps"/> time steps, or null where the device does not run it (no row).
    /// </summary>
    private static MarkdownTable StepTable(string title, ComputeDevice device, int repeats, double peak, bool cpu,
        Random random, Func<StepBuffers, CellKind, int, int, Action?> setUp, int steps = 1)
    {
        var table = new MarkdownTable(title, "B x H", "ms", "GFLOP/s", "of peak");
        foreach (var (cell, batch, hidden) in Steps)
        {
            using var buffers = new StepBuffers(device.Accelerator, random);
            var run = setUp(buffers, cell, batch, hidden);
            if (run is null) continue;
            double ms = Timing.MedianMs(device, Math.Max(repeats, 51 / steps + 1), run) / steps;
            double gflops = 2.0 * batch * cell.Gates() * hidden * hidden / (ms * 1e6);
            table.Add(cell.ToString().ToUpperInvariant(), $"{batch}x{hidden}", ms.ToString("F3", CultureInfo.InvariantCulture),
                gflops.ToString("F1", CultureInfo.InvariantCulture),
                cpu ? (gflops / peak).ToString("P0", CultureInfo.InvariantCulture) : "");
        }
        return table;
    }

    /// <summary>One time step's device buffers, freed together when the step has been timed.</summary>
    private sealed class StepBuffers(Accelerator acc, Random random) : IDisposable
    {
        private readonly List<DeviceBuffer<float>> owned = [];

        public ArrayView<float> Random(long count) => Own(GemmBenchmark.Random(acc, count, random));

        /// <summary>Floats the step writes before it reads; at least one, as a prepared layout may need none.</summary>
        public ArrayView<float> Output(long count) => Own(new DeviceBuffer<float>(acc, Math.Max(1, count)));

        private ArrayView<float> Own(DeviceBuffer<float> buffer)
        {
            owned.Add(buffer);
            return buffer.View;
        }

        public void Dispose()
        {
            foreach (var buffer in owned) buffer.Dispose();
        }
    }

    /// <summary>Random values in a buffer allocated as training allocates its own (aligned on the host).</summary>
    private static DeviceBuffer<float> Random(Accelerator acc, long count, Random random)
    {
        var data = new float[count];
        for (long i = 0; i < count; i++) data[i] = (float)(random.NextDouble() - 0.5);
        var buffer = new DeviceBuffer<float>(acc, count);
        buffer.CopyFromCPU(data);
        return buffer;
    }
}
