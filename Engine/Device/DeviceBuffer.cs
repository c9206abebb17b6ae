using ILGPU;
using ILGPU.Runtime;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// One device allocation and the view handed out over it. On the CPU accelerator the view starts
/// on a 64-byte boundary: ILGPU takes host buffers from malloc, which puts a large buffer 16 bytes
/// past a page and a small one wherever the heap is, so without this every 512-bit load of a row
/// straddles two cache lines, and how many do changed from process to process.
/// </summary>
internal sealed class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    /// <summary>A cache line: the widest vector load (AVX-512) and what the host code tiles by.</summary>
    internal const int HostAlignment = 64;

    private readonly MemoryBuffer1D<T, Stride1D.Dense> buffer;

    public DeviceBuffer(Accelerator accelerator, long length)
    {
        bool host = accelerator.AcceleratorType == AcceleratorType.CPU;
        int elementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        long pad = host ? (HostAlignment + elementSize - 1) / elementSize : 0;
        buffer = accelerator.Allocate1D<T>(length + pad);
        long skip = host ? (HostAlignment - (long)buffer.NativePtr % HostAlignment) % HostAlignment : 0;
        if (skip % elementSize != 0)
            throw new InvalidOperationException($"host buffer at {buffer.NativePtr} cannot be aligned for {typeof(T).Name}");
        View = buffer.View.SubView(skip / elementSize, length);
    }

    public ArrayView<T> View { get; }

    public long Length => View.Length;

    /// <summary>What the accelerator holds for this buffer, padding included.</summary>
    public long LengthInBytes => buffer.LengthInBytes;

    public T[] GetAsArray1D() => ((ArrayView1D<T, Stride1D.Dense>)View).GetAsArray1D();

    public void CopyFromCPU(T[] values) => View.CopyFromCPU(values);

    public void Dispose() => buffer.Dispose();
}
