using ILGPU;
using ILGPU.Runtime;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>Host addresses of views into the CPU accelerator's buffers, which live in host memory.</summary>
internal static unsafe class HostMemory
{
    public static float* Address(ArrayView<float> view) => (float*)Base(view);

    public static int* Address(ArrayView<int> view) => (int*)Base(view);

    /// <summary>
    /// The generic constraint reaches the public view interfaces without boxing, so nothing is
    /// allocated per call.
    /// </summary>
    private static nint Base<TView>(TView view) where TView : IArrayView, IContiguousArrayView
    {
        if (view.Buffer.Accelerator.AcceleratorType != AcceleratorType.CPU)
            throw new InvalidOperationException("host operations need buffers of the CPU accelerator, in host memory");
        return view.Buffer.NativePtr + (nint)view.IndexInBytes;
    }
}
