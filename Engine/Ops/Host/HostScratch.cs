namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// Pinned work buffers of the host operations (GEMM panels, transposed weights). They grow on
/// first use to the largest size a shape needs and are then reused, so a training step allocates
/// only in its first call. Not shared between threads that call operations at the same time.
/// </summary>
/// <param name="counters">Counts each growth as an allocation (bench train reports them per step).</param>
internal sealed unsafe class HostScratch(Device.DeviceCounters? counters = null)
{
    private float[] packed = [], tail = [], transposed = [], rowPanels = [], sums = [], stepRows = [];

    public float* Packed(long length) => Get(ref packed, length);
    public float* Tail(long length) => Get(ref tail, length);
    public float* Transposed(long length) => Get(ref transposed, length);
    /// <summary>One block of the row operand per worker thread (<see cref="WorkerPool.Slot"/>), packed by each tile.</summary>
    public float* RowPanels(long length) => Get(ref rowPanels, length);
    /// <summary>Column sums a GEMM makes beside its product (<see cref="HostGemm.RowSink"/>).</summary>
    public float* Sums(long length) => Get(ref sums, length);

    /// <summary>h_{t-1} in k-major row blocks for one time step (<see cref="HostRecurrentStep.PacksRows"/>).</summary>
    public float* StepRows(long length) => Get(ref stepRows, length);

    private float* Get(ref float[] buffer, long length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<float>((int)Math.Max(length, 16), pinned: true);
            counters?.Allocated();
        }
        return (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref buffer[0]);
    }
}
