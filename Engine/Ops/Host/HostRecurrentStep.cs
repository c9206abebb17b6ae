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
/// The weights come packed by <see cref="Pack(CellKind, float*, float*, int)"/>, once per forward pass: for each block of NR units,
/// each gate's H x NR panel of W_hhᵀ contiguous (zero-padded past H), so the micro-kernel streams
/// them instead of reading NR floats every 4·G bytes (8 KB at the lesson's shape) of W_hhᵀ.
/// </summary>
internal static unsafe class HostRecurrentStep
{
    /// <summary>Floats of the packed weights: unit blocks x gates x K x NR, K the weights' width (H for W_hh).</summary>
    public static long PackedLength(CellKind cell, int hidden, int width) =>
        (long)(hidden + HostGemm.Nr - 1) / HostGemm.Nr * cell.Gates() * width * HostGemm.Nr;

    public static long PackedLength(CellKind cell, int hidden) => PackedLength(cell, hidden, hidden);

    public static void Pack(CellKind cell, float* wHh, float* packed, int hidden) => Pack(cell, wHh, packed, hidden, hidden);

    /// <summary>
    /// packed[((ub·gates + q)·K + k)·NR + j] = W[q·H + ub·NR + j, k], zero where ub·NR + j ≥ H, for a
    /// G x K weight (K = <paramref name="width"/>: H for W_hh, the input's width for W_ih).
    /// </summary>
    public static void Pack(CellKind cell, float* w, float* packed, int hidden, int width)
    {
        int nr = HostGemm.Nr, gates = cell.Gates(), blocks = (hidden + nr - 1) / nr;
        for (int ub = 0; ub < blocks; ub++)
            for (int q = 0; q < gates; q++)
            {
                float* panel = packed + ((nint)ub * gates + q) * width * nr;
                for (int j = 0; j < nr; j++)
                {
                    int unit = ub * nr + j;
                    float* row = w + ((nint)q * hidden + unit) * width;
                    for (int k = 0; k < width; k++) panel[(nint)k * nr + j] = unit < hidden ? row[k] : 0f;
                }
            }
    }

    /// <summary>
    /// Whether a step packs h_{t-1} into k-major blocks of <see cref="HostGemm.Mr"/> rows first
    /// (<see cref="HostGemm.PackBlock8"/>): with 16 vector registers (AVX2, SSE), where the micro-kernel's
    /// broadcasts otherwise read 4 rows 4·H bytes apart at every k, and from 2 row blocks on.
    /// </summary>
    public static bool PacksRows(int batch) => !HostSimd.ManyRegisters && batch >= 2 * HostGemm.Mr;

    /// <summary>Floats of h_{t-1} packed for <see cref="PacksRows"/>: whole blocks of <see cref="HostGemm.Mr"/> rows.</summary>
    public static long PackedRowsLength(int batch, int hidden) => (long)(batch + HostGemm.Mr - 1) / HostGemm.Mr * HostGemm.Mr * hidden;

    /// <summary>
    /// One step for all rows; <paramref name="packedRows"/>, where not null (<see cref="PacksRows"/>),
    /// has room for <see cref="PackedRowsLength"/> floats, which the step packs h_{t-1} into first.
    /// </summary>
    public static void Run(WorkerPool pool, CellKind cell, float* hPrev, float* wT, float* bias,
        float* gx, float* gh, float* cPrev, float* c, float* hNext, int batch, int hidden, float* packedRows = null)
    {
        if (packedRows != null)
            for (int m0 = 0; m0 < batch; m0 += HostGemm.Mr)
                HostGemm.PackBlock8(hPrev + (nint)m0 * hidden, hidden, Math.Min(HostGemm.Mr, batch - m0), hidden,
                    packedRows + (nint)m0 * hidden);
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
            PackedH = packedRows,
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
        if (HostSimd.Is512) Tile<Vec512>(ref j, tile);
        else if (HostSimd.Is256) Tile<Vec256>(ref j, tile);
        else Tile<Vec128>(ref j, tile);
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

    /// <summary>
    /// This row block's rows of a step's gx = x·W_ihᵀ + b_ih: x the step's B rows of the input
    /// (<paramref name="width"/> wide), W_ih as <see cref="Pack(CellKind, float*, float*, int, int)"/>
    /// made it. Each element is the GEMM's own: one FMA per k in ascending k from zero (K within one
    /// pass), then b_ih. Where the job is tall, <paramref name="packed"/> takes x's rows (16 x width).
    /// </summary>
    internal static void ProjectRowBlock(ref Job j, int rowBlock, float* x, int width, float* wIh, float* bIh, float* gx,
        float* packed)
    {
        if (HostSimd.Is512) ProjectRowBlock<Vec512>(ref j, rowBlock, x, width, wIh, bIh, gx, packed);
        else if (HostSimd.Is256) ProjectRowBlock<Vec256>(ref j, rowBlock, x, width, wIh, bIh, gx, packed);
        else ProjectRowBlock<Vec128>(ref j, rowBlock, x, width, wIh, bIh, gx, packed);
    }

    [SkipLocalsInit] // acc is written by the kernels before it is read
    private static void ProjectRowBlock<V>(ref Job j, int rowBlock, float* x, int width, float* wIh, float* bIh, float* gx,
        float* packed) where V : struct, ISimd<V>
    {
        int nr = 2 * V.Count, h = j.Hidden, g = j.Gates * h, rows = j.TileBlocks * HostGemm.Mr;
        int first = rowBlock * rows, end = Math.Min(j.Batch, first + rows);
        float* acc = stackalloc float[HostTallKernel.Rows * 32];
        if (j.Tall) HostGemm.PackTallBlock(x + (nint)first * width, width, end - first, width, packed);
        for (int ub = 0; ub < j.UnitBlocks; ub++)
        {
            int j0 = ub * nr, units = Math.Min(nr, h - j0);
            for (int q = 0; q < j.Gates; q++)
            {
                float* cols = wIh + ((nint)ub * j.Gates + q) * width * nr;
                float* bias = bIh + q * h + j0;
                for (int m0 = first; m0 < end; m0 += j.Tall ? HostTallKernel.Rows : HostGemm.Mr)
                {
                    int height = Math.Min(j.Tall ? HostTallKernel.Rows : HostGemm.Mr, end - m0);
                    if (j.Tall) HostTallKernel.Run(packed, cols, nr, width, acc);
                    else HostGemm.Micro<V>(x + (nint)m0 * width, width, 1, height, cols, nr, width, acc);
                    for (int r = 0; r < height; r++)
                    {
                        float* to = gx + (nint)(m0 + r) * g + q * h + j0, a = acc + r * nr;
                        if (units == nr)
                        {
                            V.Store(V.Add(V.Load(a), V.Load(bias)), to);
                            V.Store(V.Add(V.Load(a + V.Count), V.Load(bias + V.Count)), to + V.Count);
                        }
                        else
                            for (int c = 0; c < units; c++) to[c] = a[c] + bias[c];
                    }
                }
            }
        }
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
                if (j.PackedH != null)
                    HostGemm.Micro<V>(j.PackedH + (nint)m0 * h, 1, HostGemm.Mr, Math.Min(HostGemm.Mr, end - m0), cols, nr, h, at);
                else
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
        /// <summary>Where not null, all of h_{t-1} in k-major blocks of <see cref="HostGemm.Mr"/> rows (<see cref="PacksRows"/>).</summary>
        public float* PackedH;
        public int Batch, Hidden, Gates, UnitBlocks, TileBlocks, RowTiles;
        /// <summary>A <see cref="RowBlockJob"/> whose blocks are <see cref="HostTallKernel.Rows"/> rows (AVX-512 only).</summary>
        public bool Tall;
    }
}
