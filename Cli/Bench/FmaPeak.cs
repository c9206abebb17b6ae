using System.Diagnostics;
using IlgpuLstm.Engine.Ops.Host;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// The machine's FP32 ceiling, measured rather than looked up: every thread runs 12 independent
/// chains of vector fused multiply-adds (enough to hide the FMA latency) for a fixed time.
/// docs/ILGPU-NOTES.md §1 measured 186 GFLOP/s on one thread and 280 on two on the project's
/// 2-vCPU development machine. GEMM efficiency is its rate over this.
/// </summary>
internal static class FmaPeak
{
    public static double GflopsPerSecond(int threads)
    {
        var rates = new double[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => rates[t] = OneThread())).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return rates.Sum();
    }

    private static double OneThread()
    {
        int lanes = HostSimd.Bits / 32;
        const long rounds = 2_000_000;
        double best = 0;
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var watch = Stopwatch.StartNew();
            float sink = HostSimd.Is512 ? Chains<Vec512>(rounds) : HostSimd.Is256 ? Chains<Vec256>(rounds) : Chains<Vec128>(rounds);
            double seconds = watch.Elapsed.TotalSeconds;
            if (float.IsNaN(sink)) seconds = double.MaxValue; // keeps the chains alive
            best = Math.Max(best, rounds * 12.0 * lanes * 2 / seconds / 1e9);
        }
        return best;
    }

    /// <summary>12 independent FMA chains, the GEMM micro-kernel's SIMD width and instruction.</summary>
    private static unsafe float Chains<V>(long rounds) where V : struct, ISimd<V>
    {
        var m = V.Broadcast(0.999999f);
        var a = V.Broadcast(1e-7f);
        V c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < rounds; i++)
        {
            c0 = V.Fma(c0, m, a); c1 = V.Fma(c1, m, a); c2 = V.Fma(c2, m, a); c3 = V.Fma(c3, m, a);
            c4 = V.Fma(c4, m, a); c5 = V.Fma(c5, m, a); c6 = V.Fma(c6, m, a); c7 = V.Fma(c7, m, a);
            c8 = V.Fma(c8, m, a); c9 = V.Fma(c9, m, a); c10 = V.Fma(c10, m, a); c11 = V.Fma(c11, m, a);
        }
        var sum = V.Add(V.Add(V.Add(c0, c1), V.Add(c2, c3)), V.Add(V.Add(c4, c5), V.Add(c6, c7)));
        sum = V.Add(sum, V.Add(V.Add(c8, c9), V.Add(c10, c11)));
        float* lanes = stackalloc float[16];
        V.Store(sum, lanes);
        float total = 0;
        for (int i = 0; i < V.Count; i++) total += lanes[i];
        return total;
    }
}
