namespace IlgpuLstm.References;

/// <summary>Float64 twin of Kernels.Gemm: C = alpha op(A) op(B) + beta C + bias, row-major.</summary>
public static class GemmReference
{
    public static double[] Compute(bool transA, bool transB, int m, int n, int k, double alpha, float[] a, int lda,
        float[] b, int ldb, double beta, float[] c, int ldc, float[]? bias)
    {
        var result = c.Select(v => (double)v).ToArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)a[transA ? p * lda + i : i * lda + p] * b[transB ? j * ldb + p : p * ldb + j];
                double value = alpha * sum + (beta != 0 ? beta * c[i * ldc + j] : 0);
                if (bias != null) value += bias[j];
                result[i * ldc + j] = value;
            }
        return result;
    }
}
