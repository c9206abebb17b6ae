using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// The machine's FP32 ceiling, measured rather than looked up: every thread runs 12 independent
/// chains of vector fused multiply-adds (enough to hide the FMA latency) for a fixed time.
/// shared/ILGPU-NOTES.md §1 measured 186 GFLOP/s on one thread and 280 on two on the project's
/// 2-vCPU EPYC. GEMM efficiency is its rate over this.
/// </summary>
public static class FmaPeak
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
        bool wide = Vector512.IsHardwareAccelerated;
        int lanes = wide ? 16 : 8;
        const long rounds = 2_000_000;
        double best = 0;
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var watch = Stopwatch.StartNew();
            float sink = wide ? Chains512(rounds) : Chains256(rounds);
            double seconds = watch.Elapsed.TotalSeconds;
            if (float.IsNaN(sink)) seconds = double.MaxValue; // keeps the chains alive
            best = Math.Max(best, rounds * 12.0 * lanes * 2 / seconds / 1e9);
        }
        return best;
    }

    private static float Chains512(long rounds)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < rounds; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static float Chains256(long rounds)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < rounds; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
