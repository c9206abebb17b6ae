using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// General matrix multiply (see <see cref="GemmArgs"/> for the contract), in three versions
/// (<see cref="LaunchPolicy"/> picks one per accelerator; bench times them all):
/// <list type="bullet">
/// <item><see cref="RowBlock"/>: implicitly grouped, one thread per row and
/// <see cref="RowBlockWidth"/> adjacent columns; no shared memory, the best kernel for ILGPU's
/// CPU accelerator with group size 1 (docs/ILGPU-NOTES.md §1).</item>
/// <item><see cref="Tiled"/>: explicitly grouped, square tiles of op(A) and op(B) staged in
/// dynamic shared memory, one output per thread.</item>
/// <item><see cref="TiledBlocked"/>: the same with 4x4 outputs per thread (the GPU choice), and
/// <see cref="TiledBlockedSplit"/> + <see cref="SumSplits"/>, the same split along K for products
/// with too few output blocks to fill a GPU.</item>
/// </list>
/// Tile edges are a launch parameter chosen from the accelerator's group-size limit, so the tiled
/// versions also run (slowly) in the CPU accelerator's 16-thread groups, where tests check them.
/// Every output element sums its K products in increasing k (split: each split's range in
/// increasing k, then the splits in order), so results are deterministic.
/// </summary>
internal static class Gemm
{
    /// <summary>Columns computed by one thread of <see cref="RowBlock"/>.</summary>
    public const int RowBlockWidth = 4;

    /// <summary>Threads to launch for <see cref="RowBlock"/>.</summary>
    public static int RowBlockThreads(int m, int n) => m * ((n + RowBlockWidth - 1) / RowBlockWidth);

    public static void RowBlock(Index1D index, ArrayView<float> a, ArrayView<float> b,
        ArrayView<float> c, ArrayView<float> bias, GemmArgs g)
    {
        int blocksPerRow = (g.N + RowBlockWidth - 1) / RowBlockWidth;
        int m = index / blocksPerRow;
        int n0 = (index % blocksPerRow) * RowBlockWidth;
        // Strides instead of per-element transpose tests: op(A)[m, k] = a[aRow + k * aStep],
        // op(B)[k, n] = b[k * bStep + n * bCol].
        int aRow = g.TransA != 0 ? m : m * g.Lda, aStep = g.TransA != 0 ? g.Lda : 1;
        int bStep = g.TransB != 0 ? 1 : g.Ldb, bCol = g.TransB != 0 ? g.Ldb : 1;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        if (n0 + RowBlockWidth <= g.N)
        {
            int b0 = n0 * bCol, b1 = b0 + bCol, b2 = b1 + bCol, b3 = b2 + bCol;
            for (int k = 0; k < g.K; k++)
            {
                float av = a[aRow + k * aStep];
                int bk = k * bStep;
                s0 += av * b[bk + b0];
                s1 += av * b[bk + b1];
                s2 += av * b[bk + b2];
                s3 += av * b[bk + b3];
            }
        }
        else
        {
            int width = g.N - n0;
            for (int k = 0; k < g.K; k++)
            {
                float av = a[aRow + k * aStep];
                int bk = k * bStep + n0 * bCol;
                s0 += av * b[bk];
                if (width > 1) s1 += av * b[bk + bCol];
                if (width > 2) s2 += av * b[bk + 2 * bCol];
            }
        }
        Store(c, bias, g, m, n0, s0);
        if (n0 + 1 < g.N) Store(c, bias, g, m, n0 + 1, s1);
        if (n0 + 2 < g.N) Store(c, bias, g, m, n0 + 2, s2);
        if (n0 + 3 < g.N) Store(c, bias, g, m, n0 + 3, s3);
    }

    /// <summary>
    /// Launch with groups of (tile, tile) threads over a grid of (ceil(N/tile), ceil(M/tile))
    /// groups. Shared memory is static, sized for <see cref="LaunchPolicy.MaxGemmTile"/> (see
    /// <see cref="TiledBlocked"/> for why not dynamic).
    /// Thread (x, y) of a group computes C[row y, column x] of its tile; out-of-range loads are
    /// zero-filled and out-of-range stores skipped, so any M, N, K works.
    /// </summary>
    public static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        ArrayView<float> bias, GemmArgs g, int tile)
    {
        var shared = SharedMemory.Allocate<float>(2 * LaunchPolicy.MaxGemmTile * LaunchPolicy.MaxGemmTile);
        var tileA = shared.SubView(0, tile * tile);
        var tileB = shared.SubView(tile * tile, tile * tile);
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int n = Grid.IdxX * tile + tx;
        int m = Grid.IdxY * tile + ty;
        float sum = 0f;
        for (int k0 = 0; k0 < g.K; k0 += tile)
        {
            int ka = k0 + tx;
            tileA[ty * tile + tx] = m < g.M && ka < g.K ? a[g.AIndex(m, ka)] : 0f;
            int kb = k0 + ty;
            tileB[ty * tile + tx] = n < g.N && kb < g.K ? b[g.BIndex(kb, n)] : 0f;
            Group.Barrier();
            for (int kk = 0; kk < tile; kk++)
                sum += tileA[ty * tile + kk] * tileB[kk * tile + tx];
            Group.Barrier();
        }
        if (m < g.M && n < g.N)
            Store(c, bias, g, m, n, sum);
    }

    /// <summary>Outputs per thread along each dimension in <see cref="TiledBlocked"/>.</summary>
    public const int Reach = 4;

    /// <summary>
    /// Register-blocked tiles, the GPU choice: a group of (tile, tile) threads computes a
    /// (tile·<see cref="Reach"/>)² block of C, each thread a <see cref="Reach"/> x <see cref="Reach"/>
    /// block of adjacent rows and columns, so every value loaded into shared memory is reused
    /// <see cref="Reach"/> times from registers, and each k reads a thread's 4 values of A and 4 of
    /// B with one 128-bit shared load each (<see cref="Float4"/>): 2 shared loads per 16 FMAs, where
    /// 4 rows and columns <c>tile</c> apart took 8. Launch over (ceil(N/B), ceil(M/B)) groups with
    /// B = tile·Reach. Shared memory is static, sized for the largest tile
    /// (<see cref="TiledBlockedSharedFloats"/> of <see cref="LaunchPolicy.MaxGemmTile"/>), smaller tiles use
    /// part of it: with a dynamic buffer, pocl (OpenCL on CPUs) let work-groups running at the same
    /// time clobber each other's tiles once the kernel had been launched before (found by CI on OpenCL).
    /// The A tile's rows (one per k) are padded by 4 floats, which keeps them 16-byte aligned and
    /// spreads the stores of neighbouring threads (neighbouring k of one row, for coalesced global
    /// reads) over banks, two to a bank at worst.
    /// Out-of-range loads are zero-filled, out-of-range stores skipped; each output sums its
    /// products in increasing k.
    /// </summary>
    public static void TiledBlocked(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        ArrayView<float> bias, GemmArgs g, int tile) =>
        BlockedTile(a, b, c, bias, g, tile, Grid.IdxY, 0, g.K, -1);

    /// <summary>
    /// <see cref="TiledBlocked"/> split along K, for products with too few output blocks to fill a
    /// GPU (the lesson's backward step: 128 x 512 outputs, K = 2,048, 16 blocks for 132 SMs). Launch
    /// over (ceil(N/B), ceil(M/B)·S) groups: group row y computes block row y mod ceil(M/B) over
    /// k in [s·<paramref name="kc"/>, min(K, (s+1)·<paramref name="kc"/>)) with s = y div ceil(M/B),
    /// and writes its raw sums (no alpha, beta or bias) to <paramref name="partials"/>[s·M·N + m·N + n].
    /// <see cref="SumSplits"/> then adds the S partial sums in split order, so results are deterministic.
    /// <paramref name="kc"/> is a multiple of the tile edge.
    /// </summary>
    public static void TiledBlockedSplit(ArrayView<float> a, ArrayView<float> b, ArrayView<float> partials, GemmArgs g, int tile, int kc)
    {
        int block = tile * Reach, mBlocks = (g.M + block - 1) / block;
        int split = Grid.IdxY / mBlocks, kBegin = split * kc;
        BlockedTile(a, b, partials, partials, g, tile, Grid.IdxY % mBlocks, kBegin, (kBegin + kc < g.K ? kBegin + kc : g.K), split);
    }

    /// <summary>
    /// C = alpha·(the S partial sums of <see cref="TiledBlockedSplit"/>, added in split order) + beta·C
    /// (+ bias), one thread per element of C (M·N threads).
    /// </summary>
    public static void SumSplits(Index1D index, ArrayView<float> partials, ArrayView<float> c, ArrayView<float> bias, GemmArgs g, int splits)
    {
        int i = index, size = g.M * g.N;
        float sum = partials[i];
        for (int s = 1; s < splits; s++) sum += partials[s * size + i];
        Store(c, bias, g, i / g.N, i % g.N, sum);
    }

    /// <summary>
    /// One (tile·Reach)² block of C over k in [<paramref name="kBegin"/>, <paramref name="kEnd"/>):
    /// stored into C (with alpha, beta and bias) when <paramref name="split"/> is negative, else as raw
    /// sums into split <paramref name="split"/>'s M·N slice of <paramref name="c"/>.
    /// </summary>
    private static void BlockedTile(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, GemmArgs g,
        int tile, int mBlock, int kBegin, int kEnd, int split)
    {
        int block = tile * Reach, strideA = block + Reach;
        var shared = SharedMemory.Allocate<float>(MaxTiledBlockedSharedFloats);
        var tileA = shared.SubView(0, tile * strideA);              // [kk][row], kk < tile
        var tileB = shared.SubView(tile * strideA, tile * block);   // [kk][col]
        // Both tiles start, and their rows lie, at multiples of 4 floats: 16-byte aligned.
        var quadsA = tileA.Cast<Float4>();
        var quadsB = tileB.Cast<Float4>();
        int tx = Group.IdxX, ty = Group.IdxY, id = ty * tile + tx, threads = tile * tile;
        int m0 = mBlock * block, n0 = Grid.IdxX * block;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k0 = kBegin; k0 < kEnd; k0 += tile)
        {
            for (int e = 0; e < Reach; e++)
            {
                int idx = id + e * threads;
                int row = idx / tile, kk = idx % tile;
                int m = m0 + row, k = k0 + kk;
                tileA[kk * strideA + row] = m < g.M && k < kEnd ? a[g.AIndex(m, k)] : 0f;
                int kb = idx / block, col = idx % block;
                int n = n0 + col, k2 = k0 + kb;
                tileB[kb * block + col] = n < g.N && k2 < kEnd ? b[g.BIndex(k2, n)] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < tile; kk++)
            {
                var av = quadsA[(kk * strideA) / Reach + ty];
                var bv = quadsB[(kk * block) / Reach + tx];
                float a0 = av.X, a1 = av.Y, a2 = av.Z, a3 = av.W;
                float b0 = bv.X, b1 = bv.Y, b2 = bv.Z, b3 = bv.W;
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        int r0 = m0 + Reach * ty, q0 = n0 + Reach * tx;
        if (split < 0)
        {
            StoreRow(c, bias, g, r0, q0, 1, c00, c01, c02, c03);
            StoreRow(c, bias, g, r0 + 1, q0, 1, c10, c11, c12, c13);
            StoreRow(c, bias, g, r0 + 2, q0, 1, c20, c21, c22, c23);
            StoreRow(c, bias, g, r0 + 3, q0, 1, c30, c31, c32, c33);
        }
        else
        {
            int offset = split * g.M * g.N;
            RawRow(c, offset, g, r0, q0, 1, c00, c01, c02, c03);
            RawRow(c, offset, g, r0 + 1, q0, 1, c10, c11, c12, c13);
            RawRow(c, offset, g, r0 + 2, q0, 1, c20, c21, c22, c23);
            RawRow(c, offset, g, r0 + 3, q0, 1, c30, c31, c32, c33);
        }
    }

    private static void RawRow(ArrayView<float> partials, int offset, GemmArgs g, int m, int n, int stride,
        float s0, float s1, float s2, float s3)
    {
        if (m >= g.M) return;
        int row = offset + m * g.N;
        if (n < g.N) partials[row + n] = s0;
        if (n + stride < g.N) partials[row + n + stride] = s1;
        if (n + 2 * stride < g.N) partials[row + n + 2 * stride] = s2;
        if (n + 3 * stride < g.N) partials[row + n + 3 * stride] = s3;
    }

    /// <summary>Shared memory <see cref="TiledBlocked"/> needs for a tile edge.</summary>
    public static int TiledBlockedSharedFloats(int tile) => tile * (tile * Reach + Reach) + tile * tile * Reach;

    /// <summary><see cref="TiledBlockedSharedFloats"/> of the largest tile, a constant as static shared memory needs.</summary>
    public const int MaxTiledBlockedSharedFloats =
        LaunchPolicy.MaxGemmTile * (LaunchPolicy.MaxGemmTile * Reach + Reach) + LaunchPolicy.MaxGemmTile * LaunchPolicy.MaxGemmTile * Reach;

    private static void StoreRow(ArrayView<float> c, ArrayView<float> bias, GemmArgs g, int m, int n, int stride,
        float s0, float s1, float s2, float s3)
    {
        if (m >= g.M) return;
        if (n < g.N) Store(c, bias, g, m, n, s0);
        if (n + stride < g.N) Store(c, bias, g, m, n + stride, s1);
        if (n + 2 * stride < g.N) Store(c, bias, g, m, n + 2 * stride, s2);
        if (n + 3 * stride < g.N) Store(c, bias, g, m, n + 3 * stride, s3);
    }

    private static void Store(ArrayView<float> c, ArrayView<float> bias, GemmArgs g, int m, int n, float sum)
    {
        int ci = m * g.Ldc + n;
        float value = g.Alpha * sum;
        if (g.Beta != 0f) value += g.Beta * c[ci];
        if (g.HasBias != 0) value += bias[n];
        c[ci] = value;
    }
}
