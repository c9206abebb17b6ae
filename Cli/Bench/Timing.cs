using System.Diagnostics;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Cli.Bench;

/// <summary>Median wall time of an action on the device: one warm-up, then timed runs, each ended by a synchronize.</summary>
internal static class Timing
{
    public static double MedianMs(ComputeDevice device, int repeats, Action run)
    {
        run();
        device.Synchronize();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            run();
            device.Synchronize();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    /// <summary>Min, median and max of timed runs, and how many.</summary>
    public readonly record struct Spread(double MinMs, double MedianMs, double MaxMs, int Runs);

    /// <summary>
    /// Times <paramref name="run"/> after three warm-up runs. With <paramref name="repeats"/> 0 it
    /// times as many runs as fill about <paramref name="budget"/> (from the warm-up's pace), at least
    /// 20 when a run takes under 200 ms and at least 5 otherwise, at most 500: enough for a median
    /// that holds from one process to the next on a VM whose speed swings between seconds.
    /// </summary>
    public static Spread Measure(ComputeDevice device, int repeats, TimeSpan budget, Action run)
    {
        // The first run carries one-time costs (allocation, first touches); the next two tell the pace.
        run();
        device.Synchronize();
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 2; i++) run();
        device.Synchronize();
        double warmMs = warm.Elapsed.TotalMilliseconds / 2;
        int runs = repeats > 0 ? repeats
            : Math.Clamp((int)Math.Ceiling(budget.TotalMilliseconds / Math.Max(warmMs, 1e-3)), warmMs < 200 ? 20 : 5, 500);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            run();
            device.Synchronize();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return new Spread(times[0], times[runs / 2], times[^1], runs);
    }
}
