using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Engine.Models;

/// <summary>
/// Sends a step's batch (tokens, targets, token index) to the device without making the host wait
/// for it. On a GPU the ints go through two page-locked buffers in turn, each copied asynchronously
/// on the stream the step's kernels run on, so the copy is ordered before them; before refilling a
/// buffer the host waits on the marker placed after that buffer's previous copy, two batches ago,
/// which has long completed unless the device is two whole steps behind. ILGPU's CPU accelerator
/// and the host path copy directly (host memory: nothing to wait for).
/// </summary>
internal sealed class BatchUpload(ComputeDevice device) : IDisposable
{
    private readonly PageLockedArray1D<int>?[] pinned = new PageLockedArray1D<int>?[2];
    private readonly ProfilingMarker?[] sent = new ProfilingMarker?[2];
    private int next;

    private bool Asynchronous => device.Accelerator.AcceleratorType != AcceleratorType.CPU &&
        device.Accelerator.Context.Properties.EnableProfiling;

    /// <summary>Sizes the page-locked buffers for <paramref name="length"/> ints (between steps).</summary>
    public void Prepare(int length)
    {
        if (!Asynchronous) return;
        Release();
        for (int i = 0; i < 2; i++) pinned[i] = device.Accelerator.AllocatePageLocked1D<int>(length);
        device.Counters.Allocated();
        device.Counters.Allocated();
    }

    public void Send(int[] host, ArrayView<int> target)
    {
        device.Counters.Launched();
        if (!Asynchronous || pinned[next] is not { } buffer)
        {
            // Host memory on both sides (the CPU paths): a plain copy, nothing to wait for.
            target.CopyFromCPU(host);
            return;
        }
        if (sent[next] is { } previous)
        {
            previous.Synchronize(); // the copy from this buffer two batches ago: done unless the device lags two steps
            previous.Dispose();
        }
        host.AsSpan().CopyTo(buffer.Span);
        var stream = device.Accelerator.DefaultStream;
        target.CopyFromPageLockedAsync(stream, buffer);
        sent[next] = stream.AddProfilingMarker();
        next ^= 1;
    }

    private void Release()
    {
        for (int i = 0; i < 2; i++)
        {
            sent[i]?.Synchronize();
            sent[i]?.Dispose();
            sent[i] = null;
            pinned[i]?.Dispose();
            pinned[i] = null;
        }
        next = 0;
    }

    public void Dispose() => Release();
}
