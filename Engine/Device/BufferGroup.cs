using ILGPU;
using ILGPU.Runtime;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// Owns a set of device buffers allocated together (one model's activations, one layer's
/// workspace) and disposes them in reverse order of allocation. Hands out views only.
/// </summary>
internal sealed class BufferGroup(ComputeDevice device) : IDisposable
{
    private readonly List<IDisposable> buffers = [];

    public ArrayView<T> Allocate<T>(long length, string what) where T : unmanaged
    {
        var buffer = device.Allocate<T>(length, what);
        buffers.Add(buffer);
        return buffer.View;
    }

    public void Dispose()
    {
        for (int i = buffers.Count - 1; i >= 0; i--) buffers[i].Dispose();
        buffers.Clear();
    }
}
