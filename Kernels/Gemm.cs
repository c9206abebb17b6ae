using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// General matrix multiply (see <see cref="GemmArgs"/> for the contract), in two versions:
/// <list type="bullet">
/// <item><see cref="RowBlock"/>: implicitly grouped, one thread per row and
/// <see cref="RowBlockWidth"/> adjacent columns. No shared memory, so it runs well on ILGPU's
/// CPU accelerator with group size 1 (shared/ILGPU-NOTES.md §1).</item>
/// <item><see cref="Tiled"/>: explicitly grouped, square tiles of op(A) and op(B) staged in
/// dynamic shared memory; the tile edge is a launch parameter chosen from the accelerator's
/// group-size limit, so it also runs on the CPU accelerator's 16-thread groups.</item>
/// </list>
/// Every output element sums its K products in increasing k, so results are deterministic.
/// </summary>
public static class Gemm
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
    /// Launch with groups of (tile, tile) threads over a grid of
    /// (ceil(N/tile), ceil(M/tile)) groups and 2*tile*tile floats of dynamic shared memory.
    /// Thread (x, y) of a group computes C[row y, column x] of its tile; out-of-range loads are
    /// zero-filled and out-of-range stores skipped, so any M, N, K works.
    /// </summary>
    public static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        ArrayView<float> bias, GemmArgs g, int tile)
    {
        var shared = SharedMemory.GetDynamic<float>();
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

    private static void Store(ArrayView<float> c, ArrayView<float> bias, GemmArgs g, int m, int n, float sum)
    {
        int ci = m * g.Ldc + n;
        float value = g.Alpha * sum;
        if (g.Beta != 0f) value += g.Beta * c[ci];
        if (g.HasBias != 0) value += bias[n];
        c[ci] = value;
    }
}
