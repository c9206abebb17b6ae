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
}
