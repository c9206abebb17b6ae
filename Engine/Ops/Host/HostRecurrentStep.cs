using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// <see cref="IOps.RecurrentForwardStep"/> on the host, fused: the step is cut into tiles of
/// <see cref="HostGemm.Mr"/> batch rows by NR hidden units; a tile runs the GEMM micro-kernel once
/// per gate (rows of h_{t-1} against the gate's NR columns of W_hhᵀ), adds b_hh into gh, and
/// applies the cell to those rows and units while the gate values are still in L1. One fork/join
/// per time step, and h_{t-1} is read straight from the layer's state buffer.
/// </summary>
internal static unsafe class HostRecurrentStep
{
    public static void Run(WorkerPool pool, HostScratch scratch, CellKind cell, float* hPrev, float* wT, float* bias,
        float* gx, float* gh, float* cPrev, float* c, float* hNext, int batch, int hidden)
    {
        int nr = HostGemm.Nr, gates = cell.Gates(), g = gates * hidden;
        var job = new Job
        {
            Cell = cell,
            HPrev = hPrev,
            WT = wT,
            Bias = bias,
            Gx = gx,
            Gh = gh,
            CPrev = cPrev,
            C = c,
            HNext = hNext,
            Batch = batch,
            Hidden = hidden,
            Gates = gates,
            UnitBlocks = (hidden + nr - 1) / nr
        };
        int ragged = hidden % nr;
        if (ragged != 0)
        {
            // A gate's last block would read past its columns (past the buffer, for the last gate):
            // copy those columns, zero-padded to NR, once per step.
            job.Tail = scratch.Tail((long)gates * hidden * nr);
            for (int q = 0; q < gates; q++)
                for (int k = 0; k < hidden; k++)
                {
                    float* from = wT + (nint)k * g + q * hidden + (hidden - ragged);
                    float* to = job.Tail + ((nint)q * hidden + k) * nr;
                    for (int j = 0; j < nr; j++) to[j] = j < ragged ? from[j] : 0f;
                }
        }
        int tiles = (batch + HostGemm.Mr - 1) / HostGemm.Mr * job.UnitBlocks;
        pool.Run(&Tile, (nint)(&job), tiles);
    }

    private static void Tile(nint p, int tile)
    {
        ref var j = ref Unsafe.AsRef<Job>((void*)p);
        if (HostGemm.WideVectors) Tile<Wide>(ref j, tile);
        else Tile<Narrow>(ref j, tile);
    }

    private static void Tile<V>(ref Job j, int tile) where V : struct, ISimd<V>
    {
        int nr = 2 * V.Count, h = j.Hidden, g = j.Gates * h;
        int m0 = tile / j.UnitBlocks * HostGemm.Mr, j0 = tile % j.UnitBlocks * nr;
        int height = Math.Min(HostGemm.Mr, j.Batch - m0), width = Math.Min(nr, h - j0);
        float* acc = stackalloc float[HostGemm.Mr * 32];
        for (int q = 0; q < j.Gates; q++)
        {
            bool tail = width < nr;
            float* cols = tail ? j.Tail + (nint)q * h * nr : j.WT + q * h + j0;
            HostGemm.Micro<V>(j.HPrev + (nint)m0 * h, h, 1, height, cols, tail ? nr : g, h, acc);
            var bias = new ReadOnlySpan<float>(j.Bias + q * h + j0, width);
            for (int r = 0; r < height; r++)
                TensorPrimitives.Add(new ReadOnlySpan<float>(acc + r * nr, width), bias,
                    new Span<float>(j.Gh + (nint)(m0 + r) * g + q * h + j0, width));
        }
        for (int r = 0; r < height; r++)
        {
            nint row = m0 + r;
            float* gxRow = j.Gx + row * g, ghRow = j.Gh + row * g;
            switch (j.Cell)
            {
                case CellKind.Lstm:
                    HostLstmCell.ForwardSpan(gxRow, ghRow, j.CPrev + row * h, j.C + row * h, j.HNext + row * h, h, j0, width);
                    break;
                case CellKind.Gru:
                    HostGruCell.ForwardSpan(gxRow, ghRow, j.HPrev + row * h, j.HNext + row * h, h, j0, width);
                    break;
                default:
                    HostRnnCell.ForwardSpan(gxRow, ghRow, j.HNext + row * h, j0, width);
                    break;
            }
        }
    }

    private struct Job
    {
        public CellKind Cell;
        public float* HPrev, WT, Bias, Gx, Gh, CPrev, C, HNext, Tail;
        public int Batch, Hidden, Gates, UnitBlocks;
    }
}
