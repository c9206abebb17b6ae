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
/// The weights come packed by <see cref="Pack"/>, once per forward pass: for each block of NR units,
/// each gate's H x NR panel of W_hhᵀ contiguous (zero-padded past H), so the micro-kernel streams
/// them instead of reading NR floats every 4·G bytes (8 KB at the lesson's shape) of W_hhᵀ.
/// </summary>
internal static unsafe class HostRecurrentStep
{
    /// <summary>Floats of the packed weights: unit blocks x gates x H x NR.</summary>
    public static long PackedLength(CellKind cell, int hidden) =>
        (long)(hidden + HostGemm.Nr - 1) / HostGemm.Nr * cell.Gates() * hidden * HostGemm.Nr;

    /// <summary>packed[((ub·gates + q)·H + k)·NR + j] = W_hh[q·H + ub·NR + j, k], zero where ub·NR + j ≥ H.</summary>
    public static void Pack(CellKind cell, float* wHh, float* packed, int hidden)
    {
        int nr = HostGemm.Nr, gates = cell.Gates(), blocks = (hidden + nr - 1) / nr;
        for (int ub = 0; ub < blocks; ub++)
            for (int q = 0; q < gates; q++)
            {
                float* panel = packed + ((nint)ub * gates + q) * hidden * nr;
                for (int j = 0; j < nr; j++)
                {
                    int unit = ub * nr + j;
                    float* row = wHh + ((nint)q * hidden + unit) * hidden;
                    for (int k = 0; k < hidden; k++) panel[(nint)k * nr + j] = unit < hidden ? row[k] : 0f;
                }
            }
    }

    public static void Run(WorkerPool pool, CellKind cell, float* hPrev, float* wT, float* bias,
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
            float* cols = j.WT + ((nint)(j0 / nr) * j.Gates + q) * h * nr;
            HostGemm.Micro<V>(j.HPrev + (nint)m0 * h, h, 1, height, cols, nr, h, acc);
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
        public float* HPrev, WT, Bias, Gx, Gh, CPrev, C, HNext;
        public int Batch, Hidden, Gates, UnitBlocks;
    }
}
