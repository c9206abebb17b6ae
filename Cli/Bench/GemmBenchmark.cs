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
        return ExitCodes.Success;
    }

    /// <summary>(cell, batch, hidden): the fused forward time steps a training step runs T times per layer.</summary>
    private static readonly (CellKind Cell, int Batch, int Hidden)[] Steps =
    [
        (CellKind.Lstm, 32, 128),
        (CellKind.Gru, 32, 128),
        (CellKind.Lstm, 128, 512),
        (CellKind.Gru, 128, 512),
    ];

    /// <summary>
    /// One fused recurrent forward step (h·W_hhᵀ + b_hh, then the cell) at the shapes training runs:
    /// the per-time-step GEMM with its epilogue, as the profile's "recurrent forward steps" phase runs it.
    /// </summary>
    private static MarkdownTable FusedSteps(ComputeDevice device, int repeats, double peak, bool cpu, Random random)
    {
        var table = new MarkdownTable("fused forward time step", "B x H", "ms", "GFLOP/s", "of peak");
        var acc = device.Accelerator;
        foreach (var (cell, batch, hidden) in Steps)
        {
            int g = cell.Gates() * hidden;
            using var w = Random(acc, (long)g * hidden, random);
            using var prepared = acc.Allocate1D<float>(device.Ops.RecurrentWeightsLength(cell, hidden));
            using var bias = Random(acc, g, random);
            using var h = Random(acc, (long)batch * hidden, random);
            using var gx = Random(acc, (long)batch * g, random);
            using var gh = acc.Allocate1D<float>((long)batch * g);
            using var cPrev = Random(acc, (long)batch * hidden, random);
            using var c = acc.Allocate1D<float>((long)batch * hidden);
            using var hNext = acc.Allocate1D<float>((long)batch * hidden);
            device.Ops.PrepareRecurrentWeights(cell, w.View, prepared.View, hidden);
            double ms = Timing.MedianMs(device, Math.Max(repeats, 51), () => device.Ops.RecurrentForwardStep(cell, h.View,
                prepared.View, bias.View, gx.View, gh.View, cPrev.View, c.View, hNext.View, batch, hidden));
            double gflops = 2.0 * batch * g * hidden / (ms * 1e6);
            table.Add(cell.ToString().ToUpperInvariant(), $"{batch}x{hidden}", ms.ToString("F3", CultureInfo.InvariantCulture),
                gflops.ToString("F1", CultureInfo.InvariantCulture),
                cpu ? (gflops / peak).ToString("P0", CultureInfo.InvariantCulture) : "");
        }
        return table;
    }

    private static MemoryBuffer1D<float, Stride1D.Dense> Random(Accelerator acc, long count, Random random)
    {
        var data = new float[count];
        for (long i = 0; i < count; i++) data[i] = (float)(random.NextDouble() - 0.5);
        return acc.Allocate1D(data);
    }
}
