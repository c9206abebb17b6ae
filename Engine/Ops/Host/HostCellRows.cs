using System.Runtime.CompilerServices;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// Runs one cell's per-row function over the batch rows on the worker pool: the one piece of
/// dispatch the three host cells (<see cref="HostLstmCell"/>, <see cref="HostGruCell"/>,
/// <see cref="HostRnnCell"/>) share. Rows are independent, so chunking never changes a result.
/// </summary>
internal static unsafe class HostCellRows
{
    public struct Job
    {
        public delegate*<ref Job, int, void> Row;
        public float* P0, P1, P2, P3, P4, P5, P6;
        public int Batch, Hidden, Chunks;
    }

    public static void Run(WorkerPool pool, Job job, int batch, int hidden, int gates)
    {
        job.Batch = batch;
        job.Hidden = hidden;
        job.Chunks = Math.Min(batch, HostOps.Chunks((long)batch * hidden * gates, HostOps.Grain / 4));
        pool.Run(&Chunk, (nint)(&job), job.Chunks);
    }

    private static void Chunk(nint p, int chunk)
    {
        ref var j = ref Unsafe.AsRef<Job>((void*)p);
        var (start, end) = HostOps.Range(j.Batch, j.Chunks, chunk);
        for (int b = start; b < end; b++) j.Row(ref j, b);
    }

    public static Span<float> S(float* p, int length) => new(p, length);

    /// <summary>
    /// Copies <paramref name="count"/> floats to a vector-sized buffer, zero past them: a span's last
    /// units, fewer than a vector, go through the same vector arithmetic as the rest.
    /// </summary>
    public static void PadIn(float* from, float* to, int count, int width)
    {
        for (int i = 0; i < width; i++) to[i] = i < count ? from[i] : 0f;
    }

    public static void PadOut(float* from, float* to, int count)
    {
        for (int i = 0; i < count; i++) to[i] = from[i];
    }
}
