namespace IlgpuLstm.Kernels;

/// <summary>
/// Shape and scalars of <c>C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C + bias[N]</c>.
/// All matrices are row-major with leading dimensions <see cref="Lda"/>, <see cref="Ldb"/>,
/// <see cref="Ldc"/>. <c>op(A) = A^T</c> when <see cref="TransA"/> is 1, so A is stored K x M.
/// When <see cref="Beta"/> is 0, C is not read (as in BLAS), so stale NaNs never leak in.
/// </summary>
internal readonly struct GemmArgs
{
    public GemmArgs(int m, int n, int k, bool transA, bool transB, int lda, int ldb, int ldc,
        float alpha, float beta, bool hasBias)
    {
        M = m; N = n; K = k;
        TransA = transA ? 1 : 0; TransB = transB ? 1 : 0;
        Lda = lda; Ldb = ldb; Ldc = ldc;
        Alpha = alpha; Beta = beta; HasBias = hasBias ? 1 : 0;
    }

    public int M { get; }
    public int N { get; }
    public int K { get; }
    public int TransA { get; }
    public int TransB { get; }
    public int Lda { get; }
    public int Ldb { get; }
    public int Ldc { get; }
    public float Alpha { get; }
    public float Beta { get; }
    public int HasBias { get; }

    /// <summary>Element (m, k) of op(A).</summary>
    public int AIndex(int m, int k) => TransA != 0 ? k * Lda + m : m * Lda + k;

    /// <summary>Element (k, n) of op(B).</summary>
    public int BIndex(int k, int n) => TransB != 0 ? n * Ldb + k : k * Ldb + n;
}
