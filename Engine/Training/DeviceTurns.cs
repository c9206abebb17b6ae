using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// A training loop holds its device's gate (one call at a time on a device) and hands it over
/// between steps, so that models and forecasters sharing the device with it run their calls
/// there, never inside a step.
/// </summary>
internal static class DeviceTurns
{
    /// <summary>Releases the gate the caller holds, lets a waiting thread take it, takes it back, and checks the device is still open.</summary>
    public static void LetOthersIn(ComputeDevice device)
    {
        Monitor.Exit(device.Gate);
        try
        {
            Thread.Yield();
        }
        finally
        {
            Monitor.Enter(device.Gate);
        }
        device.ThrowIfDisposed();
    }
}
