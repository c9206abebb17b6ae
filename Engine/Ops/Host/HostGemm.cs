using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// GEMM (the <see cref="GemmArgs"/> contract: C = alpha op(A) op(B) + beta C + bias[n]) on host
/// memory, in the BLIS manner: a register-blocked micro-kernel keeps an <see cref="Mr"/> x NR
/// block of C in registers (NR = two SIMD registers: 32 floats with AVX-512, 16 with AVX2, 8 with 128 bits) and
/// streams K in blocks of <see cref="Kc"/>, so one operand's panel stays in L1/L2.
/// <para>
/// The micro-kernel reads one operand ("rows") by broadcasting single elements, which works for
/// any strides, and the other ("columns") as vectors from panels NR wide. A transposed column
/// operand is packed into contiguous K x NR panels; for A·Bᵀ with A the smaller, Cᵀ = B·Aᵀ is
/// computed instead, so the per-time-step h·W_hhᵀ packs the 32 x H state, not the 4H x H weights.
/// Where an operand's consecutive k lie 2 KB or more apart (dGᵀ over all time steps, a 4H-wide
/// B), it is packed too, the rows by each tile per K pass: the prefetchers and the TLB follow such
/// a stream badly. At the lesson's shape packing made x·W_ihᵀ about 2x and dW_ih = dGᵀ·x 1.7x faster.
/// Packed rows (with AVX-512 in blocks for <see cref="HostTallKernel"/>) are a tile's own copy, made
/// once per K pass: such tiles span up to 16 column panels (all 512 columns of the lesson's dW), so
/// each row is packed once a pass, not once for every 4 panels (dG over 100 steps is 105 MB). With
/// AVX-512, 256 or more row-major rows against packed columns 4 or more panels wide are packed too, for that kernel.
/// </para>
/// <para>
/// Work is split into tiles of C chosen from the shape alone; each element of C is computed by
/// one tile in a fixed K order, so results are the same bit for bit whatever the thread count.
/// </para>
/// </summary>
internal sealed unsafe class HostGemm(WorkerPool pool, HostScratch scratch)
{
    /// <summary>Rows of C per micro-kernel call: 8 x 2 accumulators, 16 of the 32 AVX-512 or NEON registers (as two halves of 4 with 16 registers).</summary>
    public const int Mr = 8;
    /// <summary>K per pass over C: a 512 x NR panel of the column operand is 32-64 KB, from L2 (measured best).</summary>
    public const int Kc = 512;

    /// <summary>
    /// Floats between consecutive k of an operand from which it is packed (2 KB: a new page every
    /// other k, which the prefetchers and TLB follow badly: dGᵀ over all time steps, a 4H-wide B).
    /// </summary>
    internal const int PackedStride = 512;
    /// <summary>
    /// Columns of a tile that packs its rows: the lesson's dW (512 columns) in one tile, so dGᵀ's rows
    /// are packed once per K pass at every width (16 panels with AVX-512, 32 with AVX2, 64 with 128 bits).
    /// </summary>
    private const int PackedTileColumns = 512;
    /// <summary>Rows of C from which a far-strided in-place column operand is packed: its copy is then a small part of the work.</summary>
    private const int PackedColumnRows = 256;

    /// <summary>Columns of C per micro-kernel call: two vectors (32 floats with AVX-512, 16 with AVX2, 8 with 128 bits).</summary>
    public static int Nr => 2 * HostSimd.Bits / 32;

    /// <summary>
    /// What a weight-gradient GEMM (dW += dGᵀ·x) also makes from dG while each tile packs dGᵀ's rows,
    /// in ascending k over all passes (the order of a column sum over dG's rows): Sums[m] += dG[k, m]
    /// and, where Tokens is set, the one-hot gradient table, Table[Tokens[k]·TableStride + m] += dG[k, m].
    /// Sums and the table's rows hold <see cref="PaddedRows"/> floats: a ragged block adds its zeros there.
    /// </summary>
    internal struct RowSink
    {
        public float* Sums, Table;
        public int* Tokens;
        public int TableStride;
    }

    /// <summary>Whether <see cref="Run(float*, float*, float*, float*, GemmArgs, RowSink*)"/> can feed a sink: op(A) = Aᵀ, packed for being far-strided.</summary>
    public static bool FeedsRowSink(GemmArgs g) => g.TransA != 0 && g.TransB == 0 && g.M > 1 && g.Lda >= PackedStride;

    /// <summary>M rounded up to whole packed row blocks.</summary>
    public static int PaddedRows(int m) => (m + PackedBlockRows - 1) / PackedBlockRows * PackedBlockRows;

    public void Run(float* a, float* b, float* c, float* bias, GemmArgs g) => Run(a, b, c, bias, g, null);

    /// <summary>As <see cref="Run(float*, float*, float*, float*, GemmArgs)"/>, feeding <paramref name="sink"/> where <see cref="FeedsRowSink"/>.</summary>
    public void Run(float* a, float* b, float* c, float* bias, GemmArgs g, RowSink* sink)
    {
        if (g.M == 0 || g.N == 0) return;
        if (sink != null && !FeedsRowSink(g)) throw new ArgumentException("this GEMM does not pack its rows for a sink", nameof(sink));
        if (g.M == 1 && g.TransA == 0 && g.TransB != 0)
        {
            Gemv(a, b, c, bias, g);
            return;
        }
        var plan = new Plan { Alpha = g.Alpha, Beta = g.Beta, Bias = bias, K = g.K, Sink = sink };
        int nr = Nr;
        bool transA = g.TransA != 0, transB = g.TransB != 0;
        if (transB && !transA && (long)g.M < g.N)
        {
            // Cᵀ (N x M) = B · Aᵀ: rows from B in place, columns from A transposed.
            plan.Rows = b; plan.RowStride = g.Ldb; plan.KStride = 1; plan.M = g.N;
            plan.N = g.M;
            PackColumns(ref plan, a, 1, g.Lda, nr);
            plan.C = c; plan.CRow = 1; plan.CCol = g.Ldc; plan.BiasOnRows = true;
        }
        else
        {
            plan.Rows = a; plan.RowStride = transA ? 1 : g.Lda; plan.KStride = transA ? g.Lda : 1; plan.M = g.M;
            plan.N = g.N;
            if (transB) PackColumns(ref plan, b, 1, g.Ldb, nr);
            else if (g.Ldb >= PackedStride && g.M >= PackedColumnRows) PackColumns(ref plan, b, g.Ldb, 1, nr);
            else
            {
                plan.Cols = b; plan.ColLd = g.Ldb;
                int ragged = g.N % nr;
                if (ragged != 0)
                {
                    // The last panel would read past N: copy it, zero-padded, to the tail buffer.
                    plan.Tail = scratch.Tail((long)g.K * nr);
                    for (int k = 0; k < g.K; k++)
                    {
                        float* from = b + (nint)k * g.Ldb + (g.N - ragged);
                        float* to = plan.Tail + (nint)k * nr;
                        for (int j = 0; j < nr; j++) to[j] = j < ragged ? from[j] : 0f;
                    }
                }
            }
            plan.C = c; plan.CRow = g.Ldc; plan.CCol = 1;
        }
        Execute(ref plan, g.K, nr);
    }

    /// <summary>Floats of <paramref name="n"/> columns of a K-deep operand packed into panels (<see cref="PackColumns(float*, int, int, int, float*)"/>).</summary>
    public static long PackedColumnsLength(int k, int n) => (long)(n + Nr - 1) / Nr * k * Nr;

    /// <summary>
    /// B (K x N, row-major, leading dimension ldb) into K x NR panels, once for many products with
    /// it (<see cref="RunPacked"/>): the backward time steps' W_hh, packed once per backward pass.
    /// </summary>
    public void PackColumns(float* b, int ldb, int k, int n, float* to)
    {
        var plan = new Plan { N = n, K = k };
        PackColumns(ref plan, b, ldb, 1, Nr, to);
    }

    /// <summary>C = alpha A·B + beta C with B as <see cref="PackColumns(float*, int, int, int, float*)"/> packed it (no transposes, no bias).</summary>
    public void RunPacked(float* a, float* packedB, float* c, GemmArgs g)
    {
        if (g.M == 0 || g.N == 0) return;
        var plan = new Plan
        {
            Alpha = g.Alpha,
            Beta = g.Beta,
            K = g.K,
            M = g.M,
            N = g.N,
            Rows = a,
            RowStride = g.Lda,
            KStride = 1,
            Cols = packedB,
            ColPanels = true,
            C = c,
            CRow = g.Ldc,
            CCol = 1,
        };
        Execute(ref plan, g.K, Nr);
    }

    /// <summary>Tiles the planned product and runs its K passes.</summary>
    private void Execute(ref Plan plan, int kTotal, int nr)
    {
        // Rows in place, row-major, against packed columns at least 4 panels wide: transposed into
        // 16-row blocks, they run the tall kernel (x·W_ihᵀ, dx = dG·W_ih at the lesson's shape:
        // 1.1-1.2x on the Intel VM, with gathers then). Only from 256 rows: below that the copy is
        // not repaid. On a Zen 5 VM a backward time step's dh += dG·W_hh (128 x 512 x 2048, W_hh
        // packed once per pass) took 1.10 ms with gathered rows, 0.87 with transposed ones and 0.71
        // with its rows in place; against columns in place (W_hh as it is) gathers cost more too.
        // With 16 registers (AVX2, SSE) the rows go into k-major blocks of 8 the same way, so each
        // k's broadcasts read one contiguous 32 bytes rather than 8 rows 2 KB apart (from 256 rows
        // too: at 64 the lesson's backward steps were no faster on the Zen 3 VM, 3 alternated rounds).
        // Either kernel sums each element of C in the same k order: the choice changes no bit.
        bool transposeRows = plan.ColPanels && plan.KStride == 1 && plan.N >= 4 * nr && plan.M >= PackedColumnRows;
        bool packRows = plan.KStride >= PackedStride || transposeRows;
        Tile(ref plan, nr, packRows);
        if (packRows) plan.RowPanels = scratch.RowPanels((long)pool.Threads * PackedTileRows(plan.TileRows) * Kc);
        int passes = Math.Max(1, (kTotal + Kc - 1) / Kc);
        for (int pass = 0; pass < passes; pass++)
        {
            plan.K0 = pass * Kc;
            plan.KLength = Math.Min(Kc, kTotal - plan.K0);
            fixed (Plan* at = &plan) pool.Run(&RunTile, (nint)at, plan.RowTiles * plan.ColTiles);
        }
    }

    /// <summary>
    /// One row times Bᵀ (sampling's batch of one): N dot products of contiguous rows. The tiled path
    /// would pad the single row to a whole panel and do NR times the work.
    /// </summary>
    private void Gemv(float* a, float* b, float* c, float* bias, GemmArgs g)
    {
        var job = new GemvJob { A = a, B = b, C = c, Bias = bias, G = g, Chunks = HostOps.Chunks((long)g.N * g.K, 32768) };
        pool.Run(&GemvChunk, (nint)(&job), job.Chunks);
    }

    private static void GemvChunk(nint p, int chunk)
    {
        ref var j = ref Unsafe.AsRef<GemvJob>((void*)p);
        var g = j.G;
        var (start, end) = HostOps.Range(g.N, j.Chunks, chunk);
        for (int n = start; n < end; n++)
        {
            float value = g.Alpha * HostReductions.Dot(j.A, j.B + (nint)n * g.Ldb, g.K);
            if (g.Beta != 0f) value += g.Beta * j.C[n];
            if (j.Bias != null) value += j.Bias[n];
            j.C[n] = value;
        }
    }

    private struct GemvJob
    {
        public float* A, B, C, Bias;
        public GemmArgs G;
        public int Chunks;
    }

    /// <summary>
    /// Copies the column operand, element (k, j) = x[k·kStride + j·jStride] for j &lt; plan.N, into
    /// panels of NR columns, each K x NR and contiguous (zero past N), so the micro-kernel reads
    /// one cache line after another whatever the operand's layout. Chunks are whole panels.
    /// </summary>
    private void PackColumns(ref Plan plan, float* x, nint kStride, nint jStride, int nr, float* to = null)
    {
        int panels = (plan.N + nr - 1) / nr;
        var job = new ColumnPacking
        {
            From = x,
            KStride = kStride,
            JStride = jStride,
            N = plan.N,
            K = plan.K,
            Nr = nr,
            Panels = panels,
            To = to != null ? to : scratch.Packed((long)panels * plan.K * nr),
            Chunks = Math.Min(panels, HostOps.Chunks((long)plan.N * plan.K, 65536)),
        };
        pool.Run(&PackColumnChunk, (nint)(&job), job.Chunks);
        plan.Cols = job.To;
        plan.ColPanels = true;
    }

    private static void PackColumnChunk(nint address, int chunk)
    {
        ref var j = ref Unsafe.AsRef<ColumnPacking>((void*)address);
        var (first, end) = HostOps.Range(j.Panels, j.Chunks, chunk);
        for (int panel = first; panel < end; panel++)
        {
            float* to = j.To + (nint)panel * j.K * j.Nr;
            int n0 = panel * j.Nr, width = Math.Min(j.Nr, j.N - n0);
            if (j.JStride == 1)
            {
                for (int k = 0; k < j.K; k++)
                {
                    float* from = j.From + (nint)k * j.KStride + n0;
                    float* row = to + (nint)k * j.Nr;
                    for (int c = 0; c < width; c++) row[c] = from[c];
                    for (int c = width; c < j.Nr; c++) row[c] = 0f;
                }
                continue;
            }
            for (int c = 0; c < width; c++)
            {
                float* from = j.From + (nint)(n0 + c) * j.JStride;
                for (int k = 0; k < j.K; k++) to[(nint)k * j.Nr + c] = from[(nint)k * j.KStride];
            }
            for (int k = 0; k < j.K && width < j.Nr; k++)
                for (int c = width; c < j.Nr; c++) to[(nint)k * j.Nr + c] = 0f;
        }
    }

    private struct ColumnPacking
    {
        public float* From, To;
        public nint KStride, JStride;
        public int N, K, Nr, Panels, Chunks;
    }

    /// <summary>Rows per packed row block: <see cref="HostTallKernel.Rows"/> with AVX-512, else <see cref="Mr"/>.</summary>
    private static int PackedBlockRows => HostSimd.Is512 ? HostTallKernel.Rows : Mr;

    /// <summary>Rows of a tile's packed copy: its rows rounded up to whole packed blocks.</summary>
    private static int PackedTileRows(int tileRows) => (tileRows + PackedBlockRows - 1) / PackedBlockRows * PackedBlockRows;

    /// <summary>
    /// Copies this tile's rows over the pass's K range into blocks of <paramref name="blockRows"/>
    /// rows, each KLength x blockRows and contiguous, k-major (zero past the tile's last row).
    /// </summary>
    private static void PackRows(ref Plan p, float* to, int rowStart, int rowEnd, int blockRows)
    {
        for (int m0 = rowStart; m0 < rowEnd; m0 += blockRows, to += (nint)p.KLength * blockRows)
        {
            int height = Math.Min(blockRows, rowEnd - m0);
            float* from = p.Rows + (nint)m0 * p.RowStride + (nint)p.K0 * p.KStride;
            if (p.RowStride == 1 && height == blockRows && blockRows == Mr)
            {
                // Two 128-bit halves: accelerated at every width (a Vector256 is not without AVX).
                for (int k = 0; k < p.KLength; k++)
                {
                    float* row = from + (nint)k * p.KStride;
                    Vector128.Store(Vector128.Load(row), to + (nint)k * Mr);
                    Vector128.Store(Vector128.Load(row + 4), to + (nint)k * Mr + 4);
                }
                continue;
            }
            if (p.RowStride == 1 && height == blockRows && blockRows == HostTallKernel.Rows)
            {
                for (int k = 0; k < p.KLength; k++)
                    Vector512.Store(Vector512.Load(from + (nint)k * p.KStride), to + (nint)k * HostTallKernel.Rows);
                continue;
            }
            if (p.KStride == 1 && blockRows == HostTallKernel.Rows)
            {
                PackTallBlock(from, p.RowStride, height, p.KLength, to);
                continue;
            }
            if (p.KStride == 1 && blockRows == Mr)
            {
                PackBlock8(from, p.RowStride, height, p.KLength, to);
                continue;
            }
            for (int r = 0; r < blockRows; r++)
            {
                float* row = from + (nint)r * p.RowStride;
                for (int k = 0; k < p.KLength; k++) to[(nint)k * blockRows + r] = r < height ? row[(nint)k * p.KStride] : 0f;
            }
        }
    }

    /// <summary>
    /// <paramref name="height"/> (at most <see cref="HostTallKernel.Rows"/>) row-major rows,
    /// <paramref name="rowStride"/> apart, k-major into a block for <see cref="HostTallKernel"/>:
    /// element k of row r at to[k·16 + r], zero for rows past the height.
    /// </summary>
    internal static void PackTallBlock(float* from, nint rowStride, int height, int kLength, float* to)
    {
        const int rows = HostTallKernel.Rows;
        int k = 0;
        if (height == rows && Avx.IsSupported)
        {
            // 8 k of 8 rows per 8 x 8 transpose in registers, each half of the block in turn. Gathers
            // did the same at 2 per k and cost more than they saved on AMD's cores.
            for (; k + 8 <= kLength; k += 8)
            {
                Transpose8x8(from + k, rowStride, to + (nint)k * rows, rows);
                Transpose8x8(from + 8 * rowStride + k, rowStride, to + (nint)k * rows + 8, rows);
            }
        }
        for (; k < kLength; k++)
            for (int r = 0; r < rows; r++)
                to[(nint)k * rows + r] = r < height ? from[(nint)r * rowStride + k] : 0f;
    }

    /// <summary>
    /// <paramref name="height"/> (at most <see cref="Mr"/>) row-major rows, <paramref name="rowStride"/>
    /// apart, k-major into a block of <see cref="Mr"/>: element k of row r at to[k·8 + r], zero for rows past the height.
    /// </summary>
    internal static void PackBlock8(float* from, nint rowStride, int height, int kLength, float* to)
    {
        int k = 0;
        if (height == Mr && Avx.IsSupported)
            for (; k + 8 <= kLength; k += 8) Transpose8x8(from + k, rowStride, to + (nint)k * Mr, Mr);
        for (; k < kLength; k++)
            for (int r = 0; r < Mr; r++)
                to[(nint)k * Mr + r] = r < height ? from[(nint)r * rowStride + k] : 0f;
    }

    /// <summary>
    /// A tile's packed rows (blocks of <see cref="PackedBlockRows"/>, k-major) into the sink, k ascending,
    /// a vector of rows at a time (a block is one vector with AVX-512 and AVX2, two with 128 bits).
    /// </summary>
    private static void Feed<V>(RowSink* sink, float* packed, int rowStart, int rowEnd, int k0, int kLength)
        where V : struct, ISimd<V>
    {
        int rows = PackedBlockRows;
        for (int m0 = rowStart; m0 < rowEnd; m0 += rows, packed += (nint)kLength * rows)
            for (int v0 = 0; v0 < rows; v0 += V.Count)
            {
                var sum = V.Load(sink->Sums + m0 + v0);
                for (int k = 0; k < kLength; k++)
                {
                    var v = V.Load(packed + (nint)k * rows + v0);
                    sum = V.Add(sum, v);
                    if (sink->Tokens == null) continue;
                    float* t = sink->Table + (nint)sink->Tokens[k0 + k] * sink->TableStride + m0 + v0;
                    V.Store(V.Add(V.Load(t), v), t);
                }
                V.Store(sum, sink->Sums + m0 + v0);
            }
    }

    /// <summary>
    /// Elements 0..7 of 8 rows (<paramref name="rowStride"/> apart) to 8 vectors of 8, one per k,
    /// <paramref name="perK"/> floats apart: element k of row r lands at to[k·perK + r].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* from, nint rowStride, float* to, int perK)
    {
        var r0 = Vector256.Load(from);
        var r1 = Vector256.Load(from + rowStride);
        var r2 = Vector256.Load(from + 2 * rowStride);
        var r3 = Vector256.Load(from + 3 * rowStride);
        var r4 = Vector256.Load(from + 4 * rowStride);
        var r5 = Vector256.Load(from + 5 * rowStride);
        var r6 = Vector256.Load(from + 6 * rowStride);
        var r7 = Vector256.Load(from + 7 * rowStride);
        // Pairs of rows interleaved, then quads: per 128-bit lane, s0 holds k 0 (and 4) of rows 0-3.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).Store(to);
        Avx.Permute2x128(s1, s5, 0x20).Store(to + perK);
        Avx.Permute2x128(s2, s6, 0x20).Store(to + 2 * perK);
        Avx.Permute2x128(s3, s7, 0x20).Store(to + 3 * perK);
        Avx.Permute2x128(s0, s4, 0x31).Store(to + 4 * perK);
        Avx.Permute2x128(s1, s5, 0x31).Store(to + 5 * perK);
        Avx.Permute2x128(s2, s6, 0x31).Store(to + 6 * perK);
        Avx.Permute2x128(s3, s7, 0x31).Store(to + 7 * perK);
    }

    /// <summary>
    /// Tiles of C: up to 128 rows by 4 panels (where the tile packs its rows, as many panels as
    /// <see cref="PackedTileColumns"/> columns take), shrunk until there
    /// are enough tiles to share out (from the shape alone, never the thread count, so results do
    /// not depend on it).
    /// </summary>
    private static void Tile(ref Plan p, int nr, bool packedRows)
    {
        int panels = (p.N + nr - 1) / nr;
        int rowBlocks = (p.M + Mr - 1) / Mr;
        int mc = 16, nc = packedRows ? Math.Min(panels, PackedTileColumns / nr) : 4; // in micro-kernel blocks
        int Tiles() => ((rowBlocks + mc - 1) / mc) * ((panels + nc - 1) / nc);
        while (Tiles() < 8 && (mc > 1 || nc > 1))
        {
            if (nc > 1 && (nc >= mc || mc == 1)) nc /= 2;
            else mc /= 2;
        }
        p.TileRows = mc * Mr;
        p.TilePanels = nc;
        p.RowTiles = (rowBlocks + mc - 1) / mc;
        p.ColTiles = (panels + nc - 1) / nc;
    }

    private static void RunTile(nint planAddress, int tile)
    {
        ref Plan p = ref Unsafe.AsRef<Plan>((void*)planAddress);
        if (HostSimd.Is512) RunTile<Vec512>(ref p, tile);
        else if (HostSimd.Is256) RunTile<Vec256>(ref p, tile);
        else RunTile<Vec128>(ref p, tile);
    }

    private static void RunTile<V>(ref Plan p, int tile) where V : struct, ISimd<V>
    {
        int nr = 2 * V.Count;
        float* acc = stackalloc float[HostTallKernel.Rows * 2 * 16];
        int rowStart = tile / p.ColTiles * p.TileRows;
        int panelStart = tile % p.ColTiles * p.TilePanels;
        int rowEnd = Math.Min(p.M, rowStart + p.TileRows);
        int colEnd = Math.Min(p.N, (panelStart + p.TilePanels) * nr);
        bool first = p.K0 == 0;
        float* packedRows = null;
        if (p.RowPanels != null)
        {
            packedRows = p.RowPanels + (nint)WorkerPool.Slot * PackedTileRows(p.TileRows) * Kc;
            PackRows(ref p, packedRows, rowStart, rowEnd, PackedBlockRows);
            if (p.Sink != null && panelStart == 0) Feed<V>(p.Sink, packedRows, rowStart, rowEnd, p.K0, p.KLength);
        }
        bool tall = packedRows != null && V.Count == 16;
        for (int n0 = panelStart * nr; n0 < colEnd; n0 += nr)
        {
            int width = Math.Min(nr, p.N - n0);
            float* cols;
            nint ld;
            if (p.ColPanels) { cols = p.Cols + (nint)(n0 / nr) * p.K * nr + (nint)p.K0 * nr; ld = nr; }
            else if (width < nr && p.Tail != null) { cols = p.Tail + (nint)p.K0 * nr; ld = nr; }
            else { cols = p.Cols + (nint)p.K0 * p.ColLd + n0; ld = p.ColLd; }
            if (tall)
            {
                for (int m0 = rowStart; m0 < rowEnd; m0 += HostTallKernel.Rows)
                {
                    int height = Math.Min(HostTallKernel.Rows, rowEnd - m0);
                    HostTallKernel.Run(packedRows + (nint)(m0 - rowStart) * p.KLength, cols, ld, p.KLength, acc);
                    if (p.CCol == 1 && width == nr) StoreRows<V>(ref p, acc, m0, n0, height, first);
                    else Store(ref p, acc, nr, m0, n0, height, width, first);
                }
                continue;
            }
            for (int m0 = rowStart; m0 < rowEnd; m0 += Mr)
            {
                int height = Math.Min(Mr, rowEnd - m0);
                if (packedRows != null)
                    Micro<V>(packedRows + (nint)(m0 - rowStart) * p.KLength, 1, Mr, Mr, cols, ld, p.KLength, acc);
                else
                    Micro<V>(p.Rows + (nint)m0 * p.RowStride + (nint)p.K0 * p.KStride, p.RowStride, p.KStride, height,
                        cols, ld, p.KLength, acc);
                if (p.CCol == 1 && width == nr) StoreRows<V>(ref p, acc, m0, n0, height, first);
                else Store(ref p, acc, nr, m0, n0, height, width, first);
            }
        }
    }

    /// <summary>
    /// acc[r, 0..2V) = Σ_k rows[r, k] · cols[k, 0..2V) for r &lt; height (rows past it repeat the last).
    /// With 32 vector registers all 8 rows run at once (16 accumulators); with 16 (AVX2, SSE) that
    /// would need 19 and the JIT spills accumulators every k, so rows 0-3 and 4-7 run in turn over
    /// the same columns (8 accumulators each; 2 x 2 for a block of at most 4 rows skips the second).
    /// On the Zen 3 VM, one thread, K 512, columns from L2: 8 x 16 at once 47-51 GFLOP/s, as two
    /// halves 89-94 (FMA peak about 102). Either way each element is one FMA per k in ascending k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Micro<V>(float* rows, nint rowStride, nint kStride, int height, float* cols, nint ld, int kc,
        float* acc) where V : struct, ISimd<V>
    {
        if (V.ManyRegisters)
        {
            Micro8<V>(rows, rowStride, kStride, height, cols, ld, kc, acc);
            return;
        }
        int nr = 2 * V.Count;
        Micro4<V>(rows, rowStride, kStride, Math.Min(height, 4), cols, ld, kc, acc);
        if (height > 4) Micro4<V>(rows + 4 * rowStride, rowStride, kStride, height - 4, cols, ld, kc, acc + 4 * nr);
        else
        {
            // Rows past the height repeat the last, as the 8-row kernel leaves them.
            float* last = acc + (height - 1) * nr;
            for (int r = 4; r < Mr; r++) new ReadOnlySpan<float>(last, nr).CopyTo(new Span<float>(acc + r * nr, nr));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro8<V>(float* rows, nint rowStride, nint kStride, int height, float* cols, nint ld, int kc,
        float* acc) where V : struct, ISimd<V>
    {
        float* r0 = rows;
        float* r1 = rows + Math.Min(1, height - 1) * rowStride;
        float* r2 = rows + Math.Min(2, height - 1) * rowStride;
        float* r3 = rows + Math.Min(3, height - 1) * rowStride;
        float* r4 = rows + Math.Min(4, height - 1) * rowStride;
        float* r5 = rows + Math.Min(5, height - 1) * rowStride;
        float* r6 = rows + Math.Min(6, height - 1) * rowStride;
        float* r7 = rows + Math.Min(7, height - 1) * rowStride;
        V c00 = V.Zero, c01 = V.Zero, c10 = V.Zero, c11 = V.Zero, c20 = V.Zero, c21 = V.Zero, c30 = V.Zero, c31 = V.Zero;
        V c40 = V.Zero, c41 = V.Zero, c50 = V.Zero, c51 = V.Zero, c60 = V.Zero, c61 = V.Zero, c70 = V.Zero, c71 = V.Zero;
        int w = V.Count;
        nint at = 0; // one running offset for all eight rows: one add per k, not eight
        for (int k = 0; k < kc; k++)
        {
            V b0 = V.Load(cols), b1 = V.Load(cols + w);
            cols += ld;
            V a = V.Broadcast(r0[at]); c00 = V.Fma(a, b0, c00); c01 = V.Fma(a, b1, c01);
            a = V.Broadcast(r1[at]); c10 = V.Fma(a, b0, c10); c11 = V.Fma(a, b1, c11);
            a = V.Broadcast(r2[at]); c20 = V.Fma(a, b0, c20); c21 = V.Fma(a, b1, c21);
            a = V.Broadcast(r3[at]); c30 = V.Fma(a, b0, c30); c31 = V.Fma(a, b1, c31);
            a = V.Broadcast(r4[at]); c40 = V.Fma(a, b0, c40); c41 = V.Fma(a, b1, c41);
            a = V.Broadcast(r5[at]); c50 = V.Fma(a, b0, c50); c51 = V.Fma(a, b1, c51);
            a = V.Broadcast(r6[at]); c60 = V.Fma(a, b0, c60); c61 = V.Fma(a, b1, c61);
            a = V.Broadcast(r7[at]); c70 = V.Fma(a, b0, c70); c71 = V.Fma(a, b1, c71);
            at += kStride;
        }
        int nr = 2 * w;
        V.Store(c00, acc); V.Store(c01, acc + w);
        V.Store(c10, acc + nr); V.Store(c11, acc + nr + w);
        V.Store(c20, acc + 2 * nr); V.Store(c21, acc + 2 * nr + w);
        V.Store(c30, acc + 3 * nr); V.Store(c31, acc + 3 * nr + w);
        V.Store(c40, acc + 4 * nr); V.Store(c41, acc + 4 * nr + w);
        V.Store(c50, acc + 5 * nr); V.Store(c51, acc + 5 * nr + w);
        V.Store(c60, acc + 6 * nr); V.Store(c61, acc + 6 * nr + w);
        V.Store(c70, acc + 7 * nr); V.Store(c71, acc + 7 * nr + w);
    }

    /// <summary>acc[r, 0..2V) for 4 rows (rows past <paramref name="height"/> repeat the last): 8 accumulators, for 16-register ISAs.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro4<V>(float* rows, nint rowStride, nint kStride, int height, float* cols, nint ld, int kc,
        float* acc) where V : struct, ISimd<V>
    {
        float* r0 = rows;
        float* r1 = rows + Math.Min(1, height - 1) * rowStride;
        float* r2 = rows + Math.Min(2, height - 1) * rowStride;
        float* r3 = rows + Math.Min(3, height - 1) * rowStride;
        V c00 = V.Zero, c01 = V.Zero, c10 = V.Zero, c11 = V.Zero, c20 = V.Zero, c21 = V.Zero, c30 = V.Zero, c31 = V.Zero;
        int w = V.Count;
        nint at = 0;
        for (int k = 0; k < kc; k++)
        {
            V b0 = V.Load(cols), b1 = V.Load(cols + w);
            cols += ld;
            V a = V.Broadcast(r0[at]); c00 = V.Fma(a, b0, c00); c01 = V.Fma(a, b1, c01);
            a = V.Broadcast(r1[at]); c10 = V.Fma(a, b0, c10); c11 = V.Fma(a, b1, c11);
            a = V.Broadcast(r2[at]); c20 = V.Fma(a, b0, c20); c21 = V.Fma(a, b1, c21);
            a = V.Broadcast(r3[at]); c30 = V.Fma(a, b0, c30); c31 = V.Fma(a, b1, c31);
            at += kStride;
        }
        int nr = 2 * w;
        V.Store(c00, acc); V.Store(c01, acc + w);
        V.Store(c10, acc + nr); V.Store(c11, acc + nr + w);
        V.Store(c20, acc + 2 * nr); V.Store(c21, acc + 2 * nr + w);
        V.Store(c30, acc + 3 * nr); V.Store(c31, acc + 3 * nr + w);
    }

    /// <summary><see cref="Store"/> for full-width blocks of row-major C, a vector at a time.</summary>
    private static void StoreRows<V>(ref Plan p, float* acc, int m0, int n0, int height, bool first)
        where V : struct, ISimd<V>
    {
        int w = V.Count;
        var alpha = V.Broadcast(p.Alpha);
        var beta = V.Broadcast(p.Beta);
        for (int r = 0; r < height; r++)
        {
            float* row = p.C + (nint)(m0 + r) * p.CRow + n0;
            for (int half = 0; half < 2; half++)
            {
                float* target = row + half * w;
                var value = V.Multiply(V.Load(acc + r * 2 * w + half * w), alpha);
                if (!first) value = V.Add(value, V.Load(target));
                else
                {
                    if (p.Beta != 0f) value = V.Fma(V.Load(target), beta, value);
                    if (p.Bias != null)
                        value = V.Add(value, p.BiasOnRows ? V.Broadcast(p.Bias[m0 + r]) : V.Load(p.Bias + n0 + half * w));
                }
                V.Store(value, target);
            }
        }
    }

    /// <summary>The first K pass applies alpha, beta and the bias; later passes add alpha·acc.</summary>
    private static void Store(ref Plan p, float* acc, int nr, int m0, int n0, int height, int width, bool first)
    {
        for (int r = 0; r < height; r++)
        {
            float* row = p.C + (nint)(m0 + r) * p.CRow + (nint)n0 * p.CCol;
            float* a = acc + r * nr;
            float rowBias = p.Bias != null && p.BiasOnRows ? p.Bias[m0 + r] : 0f;
            for (int j = 0; j < width; j++)
            {
                float* target = row + j * p.CCol;
                float value = p.Alpha * a[j];
                if (first)
                {
                    if (p.Beta != 0f) value += p.Beta * *target;
                    if (p.Bias != null) value += p.BiasOnRows ? rowBias : p.Bias[n0 + j];
                }
                else value += *target;
                *target = value;
            }
        }
    }

    /// <summary>One call's operands, on the caller's stack while the pool runs its tiles.</summary>
    private struct Plan
    {
        public float* Rows; public nint RowStride, KStride;
        /// <summary>Columns in place (leading dimension ColLd, ragged last panel in Tail) or, where ColPanels, packed panels.</summary>
        public float* Cols, Tail; public nint ColLd; public bool ColPanels;
        /// <summary>Where not null, each tile packs its rows into this thread's block of it.</summary>
        public float* RowPanels;
        public float* C; public nint CRow, CCol;
        public float* Bias; public bool BiasOnRows;
        public RowSink* Sink;
        public float Alpha, Beta;
        public int M, N, K, K0, KLength;
        public int TileRows, TilePanels, RowTiles, ColTiles;
    }
}
