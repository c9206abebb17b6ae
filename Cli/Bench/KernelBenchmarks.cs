using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Cli.SelfTest;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Ops.Host;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// Times each kernel at a training shape, llm.c's dev/cuda loop: the kernel is first checked
/// against its reference (KernelChecks, at a small awkward shape), then warmed up, then run
/// <c>repeats</c> times between synchronizations; the median is reported.
/// Inputs are random; the buffers are allocated once per shape, outside the timing.
/// </summary>
internal sealed class KernelBenchmarks(ComputeDevice device, int repeats)
{
    private readonly Random random = new(99);

    public IEnumerable<BenchResult> Run(BenchShape s)
    {
        var ops = device.Ops;
        var acc = device.Accelerator;
        int b = s.Batch, t = s.Steps, h = s.Hidden, v = s.Vocab, g = 4 * h, rows = b * t;
        string launch = device.HasKernels ? $"group {device.Kernels.Policy.GroupSize}"
            : $"host, {device.Description.Multiprocessors} threads";
        // Kernel threads launched: how much of a GPU's thread slots an op can fill.
        string Threads(long threads) => device.HasKernels ? $"{launch}, {threads:N0} threads" : launch;
        var checks = new KernelChecks(device, 5);
        using var x = Random(acc, (long)rows * h);
        using var w = Random(acc, (long)g * h);
        using var gates = Random(acc, (long)rows * g);
        using var gh = Random(acc, (long)b * g);
        using var cPrev = Random(acc, (long)b * h);
        using var c = Random(acc, (long)b * h);
        using var hOut = Random(acc, (long)b * h);
        using var dGates = Random(acc, (long)b * g);
        using var dW = Random(acc, (long)g * h);
        var hostTokens = Enumerable.Range(0, rows).Select(_ => random.Next(v)).ToArray();
        using var tokens = acc.Allocate1D(hostTokens);
        var hostIndex = new int[Engine.Data.TokenIndex.Length(rows, v)];
        Engine.Data.TokenIndex.Build(hostTokens, v, hostIndex);
        using var tokenIndex = acc.Allocate1D(hostIndex);
        using var wIh = Random(acc, (long)g * v);
        using var bias = Random(acc, g);
        using var logits = Random(acc, (long)rows * v);
        using var dLogits = Random(acc, (long)rows * v);
        using var rowLoss = Random(acc, rows);
        using var param = Random(acc, s.Parameters);
        using var grad = Random(acc, s.Parameters);
        using var m = Random(acc, s.Parameters);
        using var vv = Random(acc, s.Parameters);
        using var scalars = Random(acc, 4);
        using var mask = Random(acc, (long)rows * h);
        using var dropped = Random(acc, (long)rows * h);
        string shape = $"B{b} T{t} H{h} V{v}";

        // The host path has one GEMM (null); kernels are timed version by version.
        GemmVersion?[] versions = device.HasKernels
            ? [GemmVersion.RowBlock, GemmVersion.Tiled, GemmVersion.TiledBlocked, GemmVersion.TiledBlockedSplit] : [null];
        foreach (var version in versions)
        {
            if (version is GemmVersion.Tiled or GemmVersion.TiledBlocked or GemmVersion.TiledBlockedSplit && acc.AcceleratorType == AcceleratorType.CPU)
                continue; // shared-memory tiles are unusably slow on the CPU accelerator (docs/ILGPU-NOTES.md §1)
            var policy = device.HasKernels ? device.Kernels.Policy : null;
            string Groups(int gm, int gn) => policy is null || version is not { } v ? "" :
                $", {policy.GemmGroups(v, gm, gn)} groups ({(double)policy.GemmGroups(v, gm, gn) / policy.Multiprocessors:F1}/SM)";
            string GemmLaunch(int gm, int gn) => version switch
            {
                GemmVersion.Tiled => $"tile {device.Kernels.Policy.GemmTile}{Groups(gm, gn)}",
                GemmVersion.TiledBlocked => $"tile {device.Kernels.Policy.GemmTile}, 4x4 per thread{Groups(gm, gn)}",
                GemmVersion.TiledBlockedSplit => $"tile {device.Kernels.Policy.GemmTile}, 4x4 per thread, split K{Groups(gm, gn)}",
                null => $"host SIMD, {Engine.Ops.Host.WorkerPool.DefaultThreads()} threads",
                _ => launch,
            };
            void RunGemm(bool ta, bool tb, int m, int n, int k, ArrayView<float> a, int lda, ArrayView<float> bb, int ldb,
                float beta, ArrayView<float> c, int ldc, ArrayView<float>? bv)
            {
                if (version is { } v) ((Engine.Ops.IlgpuOps)ops).Gemm(v, ta, tb, m, n, k, 1f, a, lda, bb, ldb, beta, c, ldc, bv);
                else ops.Gemm(ta, tb, m, n, k, 1f, a, lda, bb, ldb, beta, c, ldc, bv);
            }
            double err = checks.Gemm(version, false, true, 33, 65, 17, true, 1f).MaxAbsError;
            yield return Gemm("gemm h·W_hhᵀ (one step)", $"{b}x{g}x{h}", version, GemmLaunch(b, g), err, 2.0 * b * g * h,
                () => RunGemm(false, true, b, g, h, x.View, h, w.View, h, 0f, gh.View, g, bias.View));
            yield return Gemm("gemm dW_hh += dGᵀ·h (all steps)", $"{g}x{h}x{rows}", version, GemmLaunch(g, h), err,
                2.0 * g * h * rows,
                () => RunGemm(true, false, g, h, rows, gates.View, g, x.View, h, 1f, dW.View, h, null));
        }
        double oneHotErr = checks.OneHot(37, 12, 83).MaxAbsError;
        yield return Memory("one-hot projection fwd", shape, Threads((long)rows * g), oneHotErr, 4.0 * rows * g * 2,
            () => ops.OneHotForward(tokens.View, wIh.View, bias.View, gates.View, rows, g, v));
        yield return Memory("one-hot projection bwd", shape, Threads((long)g * v), oneHotErr, 4.0 * rows * g * 2,
            () => ops.OneHotBackward(tokens.View, tokenIndex.View, gates.View, wIh.View, rows, g, v));
        double lstmErr = checks.Lstm(3, 17).MaxAbsError;
        yield return Memory("lstm cell fwd (one step)", $"B{b} H{h}", Threads((long)b * h), lstmErr, 4.0 * b * (2 * g + g + 3 * h),
            () => ops.LstmForward(gates.View.SubView(0, (long)b * g), gh.View, cPrev.View, c.View, hOut.View, b, h));
        yield return Memory("lstm cell bwd (one step)", $"B{b} H{h}", Threads((long)b * h), lstmErr, 4.0 * b * (g + 5 * h + g),
            () => ops.LstmBackward(gates.View.SubView(0, (long)b * g), cPrev.View, c.View, hOut.View, cPrev.View,
                dGates.View, b, h));
        double ceErr = checks.CrossEntropy(37, 83).MaxAbsError;
        yield return Memory("softmax cross-entropy fwd+bwd", $"rows {rows} V{v}", Threads(rows), ceErr, 4.0 * rows * (2 * v + 2),
            () => ops.SoftmaxCrossEntropy(logits.View, tokens.View, rowLoss.View, dLogits.View, rows, v, 1f / rows));
        double optErr = checks.ClipAndOptimizers(1001).MaxAbsError;
        int p = (int)s.Parameters;
        yield return Memory("grad norm (sum of squares)", $"{p} params", Threads(device.HasKernels ? device.Kernels.Policy.ReductionPartials : 0), optErr, 4.0 * p,
            () => ops.Sum(grad.View, p, scalars.View, 0, 1f, true));
        yield return Memory("adam step", $"{p} params", Threads(p), optErr, 4.0 * p * 7,
            () => ops.Adam(param.View, grad.View, m.View, vv.View, scalars.View, 3,
                new OptimizerArgs(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1e-3f, 0.03f, 0f, 0), p));
        double dropErr = checks.Dropout(999, 0.5f).MaxAbsError;
        yield return Memory("dropout fwd", $"{rows * h} elements", Threads((long)rows * h), dropErr, 4.0 * rows * h * 3,
            () => ops.DropoutForward(x.View, dropped.View, mask.View, rows * h, new DropoutArgs(1, 2, 0.5f)));
        if (ops is HostOps host && s == BenchShape.Small)
            foreach (var r in ForkJoin(host.Pool)) yield return r;
    }

    /// <summary>
    /// What one parallel op pays before any work: an empty job of one chunk per thread, through the
    /// host path's pool and through Parallel.For (a step makes hundreds of ~10-100 µs ops).
    /// </summary>
    private static List<BenchResult> ForkJoin(WorkerPool pool)
    {
        int threads = pool.Threads;
        double ours = MicrosecondsPerCall(() => RunEmpty(pool, threads));
        double parallelFor = MicrosecondsPerCall(() => Parallel.For(0, threads, _ => { }));
        return
        [
            new("fork/join, empty job", $"{threads} chunks", "WorkerPool", $"{threads} threads", ours / 1000, 1e6 / ours, "calls/s", 0),
            new("fork/join, empty job", $"{threads} chunks", "Parallel.For", $"{threads} threads", parallelFor / 1000,
                1e6 / parallelFor, "calls/s", 0),
        ];
    }

    private static unsafe void RunEmpty(WorkerPool pool, int chunks) => pool.Run(&Nothing, 0, chunks);

    /// <summary>Mean over 10,000 calls after 1,000 to warm up (a median of single calls would read the timer's grain).</summary>
    private static double MicrosecondsPerCall(Action run)
    {
        for (int i = 0; i < 1000; i++) run();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 10_000; i++) run();
        return watch.Elapsed.TotalMilliseconds * 1000 / 10_000;
    }

    private static void Nothing(nint args, int chunk)
    {
    }

    private BenchResult Gemm(string op, string shape, GemmVersion? version, string launch, double err, double flops,
        Action run)
    {
        double ms = Median(run);
        return new BenchResult(op, shape, version?.ToString() ?? "host", launch, ms, flops / (ms * 1e6), "GFLOP/s", err);
    }

    private BenchResult Memory(string op, string shape, string launch, double err, double bytes, Action run)
    {
        double ms = Median(run);
        return new BenchResult(op, shape, "fused", launch, ms, bytes / (ms * 1e6), "GB/s", err);
    }

    private double Median(Action run) => Timing.MedianMs(device, repeats, run);

    private MemoryBuffer1D<float, Stride1D.Dense> Random(Accelerator acc, long count)
    {
        var data = new float[count];
        for (long i = 0; i < count; i++) data[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
        return acc.Allocate1D(data);
    }
}
