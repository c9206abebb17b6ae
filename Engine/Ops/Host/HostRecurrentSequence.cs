using System.Runtime.CompilerServices;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// All T time steps of one layer, forward or backward, as one fork/join where W_hh is small.
/// Batch rows never meet in a recurrence, so a chunk takes one block of <see cref="HostGemm.Mr"/>
/// rows (forward with AVX-512: 16) through every step: its h, c and dh stay in one core's caches.
/// The per-step split across unit blocks instead hands every step's h across the cores and waits
/// for the slower core at every step (300 fork/joins a step at 2 x 128, now 4). Measured at 2 x 128 LSTM, alternated in
/// one process: the same speed within 2-5% on a quiet VM, 1.10x (14 rounds of 15) while the VM's
/// speed swung, when any vCPU that lags holds up every step. Each element is
/// computed by the per-step path's own code (<see cref="HostRecurrentStep"/>'s tiles, the cells'
/// row functions, <see cref="HostGemm.Micro{V}"/> or <see cref="HostTallKernel"/> over the whole K
/// in ascending order, the accumulation into dh_{t-1} as one addition), so the bits are the same as
/// step by step.
/// </summary>
internal static unsafe class HostRecurrentSequence
{
    /// <summary>
    /// Packed W_hh up to this size stays in each core's L2 beside its rows' state: every row block
    /// reads all of it at every step (LSTM up to H 170, GRU 195, RNN 352 by this; with the K bound
    /// below, LSTM up to H 128, GRU 170, RNN 352).
    /// </summary>
    private const long MaxWeightBytes = 512 * 1024;

    /// <summary>
    /// Whether a layer runs here: at least two row blocks (else one core would do all the work), the
    /// gates' width within one K pass of the GEMM (so dh_{t-1} gains dG·W_hh in one addition, as the
    /// per-step GEMM adds it), and W_hh small enough to stay in L2.
    /// </summary>
    public static bool Applies(CellKind cell, int batch, int hidden) =>
        batch > HostGemm.Mr && cell.Gates() * hidden <= HostGemm.Kc &&
        HostRecurrentStep.PackedLength(cell, hidden) * sizeof(float) <= MaxWeightBytes;

    /// <summary>
    /// Whether the forward's chunks are blocks of <see cref="HostTallKernel.Rows"/> rows for
    /// <see cref="HostTallKernel"/> (AVX-512), not of <see cref="HostGemm.Mr"/>: its 16 row elements
    /// per k come from memory inside each FMA, and W_hh's panels are read once per 16 rows, not once
    /// per 8, for a k-major copy of the block's h_{t-1} at each step. Only from 17 rows, so that there
    /// are still two chunks to share out. On a Zen 5 VM: a 2 x 128 LSTM forward step 1.08-1.17x
    /// (GRU 1.0-1.1x); the backward loop's dG_t·W_hh (K = 4H) done the same way gained nothing.
    /// </summary>
    private static bool Tall(int batch) => HostSimd.Is512 && batch > HostTallKernel.Rows;

    /// <summary>
    /// Whether the forward can project a dense input of this width itself: x·W_ihᵀ within one K pass
    /// of the GEMM (so its elements are the GEMM's bits), packed W_ih and W_hh together within the L2
    /// budget of W_hh alone (2 x 128 LSTM: 256 KB each).
    /// </summary>
    public static bool ProjectsDense(CellKind cell, int hidden, int width) =>
        width <= HostGemm.Kc &&
        (HostRecurrentStep.PackedLength(cell, hidden, width) + HostRecurrentStep.PackedLength(cell, hidden)) * sizeof(float) <= MaxWeightBytes;

    /// <summary>
    /// <see cref="IOps.RecurrentForwardStep"/> for t = 0..T-1: hs and cs hold T + 1 slots of B x H
    /// (slot 0 the initial state), gx (and gh, GRU only) T slots of B x G; wT as
    /// <see cref="HostRecurrentStep.Pack(CellKind, float*, float*, int)"/> made it.
    /// </summary>
    public static void Forward(WorkerPool pool, CellKind cell, float* hs, float* wT, float* bias, float* gx, float* gh,
        float* cs, int batch, int hidden, int steps, Projection input)
    {
        var job = new ForwardJob
        {
            Step = HostRecurrentStep.RowBlockJob(cell, wT, bias, batch, hidden, Tall(batch)),
            Hs = hs,
            Gx = gx,
            Gh = gh,
            Cs = cs,
            Steps = steps,
            Input = input,
        };
        pool.Run(&ForwardRows, (nint)(&job), job.Step.RowTiles);
    }

    [SkipLocalsInit] // packed is written before it is read
    private static void ForwardRows(nint p, int rowBlock)
    {
        ref var s = ref Unsafe.AsRef<ForwardJob>((void*)p);
        var step = s.Step; // this chunk's own copy: its pointers move with t
        int xWidth = s.Input.X != null ? s.Input.Width : 0;
        nint bh = (nint)step.Batch * step.Hidden, bg = bh * step.Gates, bx = (nint)step.Batch * xWidth;
        float* packed = stackalloc float[step.Tall ? HostTallKernel.Rows * Math.Max(step.Hidden, xWidth) : 0];
        int g = step.Gates * step.Hidden, blockRows = step.TileBlocks * HostGemm.Mr;
        int first = rowBlock * blockRows, end = Math.Min(step.Batch, first + blockRows);
        for (int t = 0; t < s.Steps; t++)
        {
            // This block's rows of the step's projection, made just before the cell reads them.
            for (int b = first; b < end && s.Input.Tokens != null; b++)
                HostOps.OneHotRow(s.Input.Tokens, s.Input.WeightT, s.Input.Bias, s.Gx, t * step.Batch + b, g);
            if (s.Input.X != null)
                HostRecurrentStep.ProjectRowBlock(ref step, rowBlock, s.Input.X + t * bx, xWidth, s.Input.WeightT,
                    s.Input.Bias, s.Gx + t * bg, packed);
            step.HPrev = s.Hs + t * bh;
            step.HNext = s.Hs + (t + 1) * bh;
            step.Gx = s.Gx + t * bg;
            if (step.Cell == CellKind.Gru) step.Gh = s.Gh + t * bg;
            if (step.Cell == CellKind.Lstm)
            {
                step.CPrev = s.Cs + t * bh;
                step.C = s.Cs + (t + 1) * bh;
            }
            HostRecurrentStep.RunRowBlock(ref step, rowBlock, packed);
        }
    }

    /// <summary>
    /// The backward time loop of one layer, t = T-1..0: the cell's backward (LSTM: into dGx and dc;
    /// GRU: into dGx, dGh and dh_{t-1}; RNN: into dGx), then dh_{t-1} += dGh_t · W_hh for t &gt; 0.
    /// gates (the forward's activated gates) and the gradients hold T slots of B x G, hs and cs T + 1
    /// of B x H, dhs T of B x H (in: the gradient from above; out: the total); dh0 takes GRU's
    /// gradient into the initial state. <paramref name="packed"/> holds W_hh packed by
    /// <see cref="HostGemm.PackColumns(float*, int, int, int, float*)"/>.
    /// </summary>
    public static void Backward(WorkerPool pool, CellKind cell, float* gates, float* gh, float* hs, float* cs, float* dhs,
        float* dc, float* dGx, float* dGh, float* dh0, float* packed, int batch, int hidden, int steps)
    {
        var job = new BackwardJob
        {
            Cell = cell,
            Gates = gates,
            Gh = gh,
            Hs = hs,
            Cs = cs,
            DHs = dhs,
            Dc = dc,
            DGx = dGx,
            DGh = dGh,
            Dh0 = dh0,
            Packed = packed,
            Batch = batch,
            Hidden = hidden,
            Width = cell.Gates() * hidden,
            Steps = steps,
        };
        pool.Run(&BackwardRows, (nint)(&job), (batch + HostGemm.Mr - 1) / HostGemm.Mr);
    }

    private static void BackwardRows(nint p, int rowBlock)
    {
        ref var j = ref Unsafe.AsRef<BackwardJob>((void*)p);
        if (HostSimd.Is512) BackwardRows<Vec512>(ref j, rowBlock);
        else if (HostSimd.Is256) BackwardRows<Vec256>(ref j, rowBlock);
        else BackwardRows<Vec128>(ref j, rowBlock);
    }

    [SkipLocalsInit] // acc is written by the micro-kernel before it is read
    private static void BackwardRows<V>(ref BackwardJob j, int rowBlock) where V : struct, ISimd<V>
    {
        int h = j.Hidden, g = j.Width, w = V.Count, nr = 2 * w;
        int m0 = rowBlock * HostGemm.Mr, height = Math.Min(HostGemm.Mr, j.Batch - m0);
        nint bh = (nint)j.Batch * h, bg = (nint)j.Batch * g;
        float* acc = stackalloc float[HostGemm.Mr * 32];
        for (int t = j.Steps - 1; t >= 0; t--)
        {
            float* dh = j.DHs + t * bh, dGx = j.DGx + t * bg, dGh = j.DGh + t * bg;
            float* dhPrev = t > 0 ? j.DHs + (t - 1) * bh : j.Dh0;
            var cell = j.Cell switch
            {
                CellKind.Lstm => HostLstmCell.BackwardJob(j.Gates + t * bg, j.Cs + t * bh, j.Cs + (t + 1) * bh, dh, j.Dc, dGx, h),
                CellKind.Gru => HostGruCell.BackwardJob(j.Gates + t * bg, j.Gh + t * bg, j.Hs + t * bh, dh, dGx, dGh, dhPrev, h),
                _ => HostRnnCell.BackwardJob(j.Hs + (t + 1) * bh, dh, dGx, h),
            };
            for (int b = m0; b < m0 + height; b++) cell.Row(ref cell, b);
            if (t == 0) break;
            for (int n0 = 0; n0 < h; n0 += nr)
            {
                HostGemm.Micro<V>(dGh + (nint)m0 * g, g, 1, height, j.Packed + (nint)(n0 / nr) * g * nr, nr, g, acc);
                int width = Math.Min(nr, h - n0);
                for (int r = 0; r < height; r++)
                {
                    float* row = dhPrev + (nint)(m0 + r) * h + n0, a = acc + r * nr;
                    if (width == nr)
                    {
                        V.Store(V.Add(V.Load(row), V.Load(a)), row);
                        V.Store(V.Add(V.Load(row + w), V.Load(a + w)), row + w);
                    }
                    else
                        for (int c = 0; c < width; c++) row[c] += a[c];
                }
            }
        }
    }

    /// <summary>
    /// The input, where the forward makes gx itself: token ids (row t·B + b) with W_ih transposed
    /// (V x G, for HostOps.OneHotRow), or dense rows X (T·B x Width) with W_ih packed
    /// (<see cref="HostRecurrentStep.ProjectRowBlock"/>); and b_ih. Tokens and X null: gx is given.
    /// </summary>
    internal struct Projection
    {
        public int* Tokens;
        public float* X;
        public float* WeightT, Bias;
        public int Width;
    }

    private struct ForwardJob
    {
        public HostRecurrentStep.Job Step;
        public float* Hs, Gx, Gh, Cs;
        public int Steps;
        public Projection Input;
    }

    private struct BackwardJob
    {
        public CellKind Cell;
        public float* Gates, Gh, Hs, Cs, DHs, Dc, DGx, DGh, Dh0, Packed;
        public int Batch, Hidden, Width, Steps;
    }
}
