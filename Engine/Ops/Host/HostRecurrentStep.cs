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
        int rowBlocks = (batch + HostGemm.Mr - 1) / HostGemm.Mr;
        job.TileBlocks = RowBlocksPerTile(rowBlocks, job.UnitBlocks);
        job.RowTiles = (rowBlocks + job.TileBlocks - 1) / job.TileBlocks;
        int tiles = job.RowTiles * job.UnitBlocks;
        pool.Run(&Tile, (nint)(&job), tiles);
    }

    /// <summary>Row blocks of <see cref="HostGemm.Mr"/> a tile runs against one unit block's panels: up to 4, fewer where that leaves under 16 tiles.</summary>
    private static int RowBlocksPerTile(int rowBlocks, int unitBlocks)
    {
        int blocks = Math.Min(rowBlocks, MaxTileBlocks);
        while (blocks > 1 && (rowBlocks + blocks - 1) / blocks * unitBlocks < 16) blocks /= 2;
        return blocks;
    }

    private const int MaxTileBlocks = 4;

    private static void Tile(nint p, int tile) => Tile(ref Unsafe.AsRef<Job>((void*)p), tile);

    private static void Tile(ref Job j, int tile)
    {
        if (HostGemm.WideVectors) Tile<Wide>(ref j, tile);
        else Tile<Narrow>(ref j, tile);
    }

    /// <summary>
    /// A step cut into tiles of one row block of <see cref="HostGemm.Mr"/> each (<see cref="RunRowBlock"/>),
    /// for <see cref="HostRecurrentSequence"/>; the per-step pointers (HPrev, Gx, Gh, CPrev, C, HNext) are the caller's to set.
    /// </summary>
    internal static Job RowBlockJob(CellKind cell, float* wT, float* bias, int batch, int hidden, bool tall)
    {
        int nr = HostGemm.Nr;
        int rowBlocks = (batch + HostGemm.Mr - 1) / HostGemm.Mr;
        int tileBlocks = tall ? HostTallKernel.Rows / HostGemm.Mr : 1;
        return new Job
        {
            Cell = cell,
            WT = wT,
            Bias = bias,
            Batch = batch,
            Hidden = hidden,
            Gates = cell.Gates(),
            UnitBlocks = (hidden + nr - 1) / nr,
            TileBlocks = tileBlocks,
            RowTiles = (rowBlocks + tileBlocks - 1) / tileBlocks,
            Tall = tall,
        };
    }

    /// <summary>
    /// Every unit block of one row block of a <see cref="RowBlockJob"/>: that block's rows of the
    /// whole step. Where the job is tall, <paramref name="packed"/> (<see cref="HostTallKernel.Rows"/>
    /// x H floats) takes h_{t-1}'s rows.
    /// </summary>
    internal static void RunRowBlock(ref Job j, int rowBlock, float* packed)
    {
        if (j.Tall)
        {
            int first = rowBlock * HostTallKernel.Rows;
            HostGemm.PackTallBlock(j.HPrev + (nint)first * j.Hidden, j.Hidden, Math.Min(HostTallKernel.Rows, j.Batch - first),
                j.Hidden, packed);
            j.PackedRows = packed;
        }
        for (int ub = 0; ub < j.UnitBlocks; ub++) Tile(ref j, ub * j.RowTiles + rowBlock);
    }

    [SkipLocalsInit] // every element of block is written before it is read
    private static void Tile<V>(ref Job j, int tile) where V : struct, ISimd<V>
    {
        int nr = 2 * V.Count, h = j.Hidden, g = j.Gates * h, rows = j.TileBlocks * HostGemm.Mr;
        int ub = tile / j.RowTiles, j0 = ub * nr, width = Math.Min(nr, h - j0);
        int first = tile % j.RowTiles * rows, end = Math.Min(j.Batch, first + rows);
        // This tile's gh (+ b_hh): gate q of row r at block[(q·rows + r)·NR ..], NR units, in L1 for the cell.
        float* block = stackalloc float[4 * MaxTileBlocks * HostGemm.Mr * 32];
        nint gateStride = (nint)rows * nr;
        for (int q = 0; q < j.Gates; q++)
        {
            float* cols = j.WT + ((nint)ub * j.Gates + q) * h * nr;
            if (j.PackedRows != null)
            {
                float* at = block + q * gateStride;
                HostTallKernel.Run(j.PackedRows, cols, nr, h, at);
                AddBias<V>(at, j.Bias + q * h + j0, HostTallKernel.Rows, width);
                continue;
            }
            for (int m0 = first; m0 < end; m0 += HostGemm.Mr)
            {
                float* at = block + q * gateStride + (nint)(m0 - first) * nr;
                HostGemm.Micro<V>(j.HPrev + (nint)m0 * h, h, 1, Math.Min(HostGemm.Mr, end - m0), cols, nr, h, at);
                AddBias<V>(at, j.Bias + q * h + j0, HostGemm.Mr, width);
            }
        }
        for (int r = 0; r < end - first; r++)
        {
            nint row = first + r;
            float* gxRow = j.Gx + row * g, ghRow = block + (nint)r * nr - j0; // unit k of gate q at ghRow[q·gateStride + k]
            switch (j.Cell)
            {
                case CellKind.Lstm:
                    HostLstmCell.ForwardSpan<V>(gxRow, ghRow, gateStride, j.CPrev + row * h, j.C + row * h, j.HNext + row * h, h, j0, width);
                    break;
                case CellKind.Gru:
                    // GRU's backward reads gh: keep it.
                    for (int q = 0; q < 3; q++)
                        new ReadOnlySpan<float>(ghRow + q * gateStride + j0, width).CopyTo(new Span<float>(j.Gh + row * g + q * h + j0, width));
                    HostGruCell.ForwardSpan<V>(gxRow, ghRow, gateStride, j.HPrev + row * h, j.HNext + row * h, h, j0, width);
                    break;
                default:
                    HostRnnCell.ForwardSpan<V>(gxRow, ghRow, j.HNext + row * h, j0, width);
                    break;
            }
        }
    }

    /// <summary>rows x NR block (ld NR) += b_hh's <paramref name="width"/> units, a vector at a time where the block is whole.</summary>
    private static void AddBias<V>(float* block, float* bias, int rows, int width) where V : struct, ISimd<V>
    {
        int w = V.Count, nr = 2 * w;
        if (width == nr)
        {
            V b0 = V.Load(bias), b1 = V.Load(bias + w);
            for (int r = 0; r < rows; r++)
            {
                V.Store(V.Add(V.Load(block + r * nr), b0), block + r * nr);
                V.Store(V.Add(V.Load(block + r * nr + w), b1), block + r * nr + w);
            }
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < width; c++) block[r * nr + c] += bias[c];
    }

    internal struct Job
    {
        public CellKind Cell;
        public float* HPrev, WT, Bias, Gx, Gh, CPrev, C, HNext;
        /// <summary>Where not null, this tile's rows of h_{t-1} packed for <see cref="HostTallKernel"/>.</summary>
        public float* PackedRows;
        public int Batch, Hidden, Gates, UnitBlocks, TileBlocks, RowTiles;
        /// <summary>A <see cref="RowBlockJob"/> whose blocks are <see cref="HostTallKernel.Rows"/> rows (AVX-512 only).</summary>
        public bool Tall;
    }
}
