namespace IlgpuLstm.Engine.Device;

/// <summary>
/// What the device layer did, counted where it happens: commands enqueued (kernel launches and
/// device copies; on the host path, operations dispatched), host synchronizations (waits for the
/// device, read-backs) and allocations (device buffers, host work buffers grown). bench train
/// reports them per training step, where the goal is few launches and no syncs or allocations.
/// </summary>
internal sealed class DeviceCounters
{
    public long Launches { get; private set; }
    public long Syncs { get; private set; }
    public long Allocations { get; private set; }

    public void Launched(int count = 1) => Launches += count;
    public void Synchronized() => Syncs++;
    public void Allocated() => Allocations++;

    public (long Launches, long Syncs, long Allocations) Snapshot() => (Launches, Syncs, Allocations);
}
