using System.Numerics;
using System.Runtime.CompilerServices;
using ILGPU;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops;

/// <summary>
/// GEMM (the <see cref="GemmArgs"/> contract) as SIMD host code over the memory of ILGPU's CPU
/// accelerator, which lives in host memory: <see cref="GemmVersion.HostVector"/>. One
/// <see cref="Parallel.For(int, int, Action{int})"/> iteration computes one row of C, each in a
/// fixed order, so results are deterministic (they differ from the kernels' in the last bits).
/// <list type="bullet">
/// <item>op(B) = B (row-major K x N): C[m, :] accumulates A[m, k] · B[k, :] in vector-wide chunks.</item>
/// <item>op(B) = Bᵀ, A not transposed: each C[m, n] is a dot product of two contiguous rows.</item>
/// <item>Aᵀ·Bᵀ: scalar loops (no caller uses it on a hot path).</item>
/// </list>
/// </summary>
public static class HostGemm
{
    /// <summary>Above this many multiply-adds a call is split over the cores.</summary>
    private const long ParallelThreshold = 1 << 15;

    public static unsafe void Run(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float>? bias,
        GemmArgs g)
    {
        float* pa = Address(a), pb = Address(b), pc = Address(c);
        float* pBias = bias is { } bv ? Address(bv) : null;
        if ((long)g.M * g.N * g.K < ParallelThreshold)
        {
            for (int m = 0; m < g.M; m++) Row(m, pa, pb, pc, pBias, g);
            return;
        }
        // Pointers cannot be captured by the lambda, so pass them as integers.
        nint ia = (nint)pa, ib = (nint)pb, ic = (nint)pc, iBias = (nint)pBias;
        Parallel.For(0, g.M, m => Row(m, (float*)ia, (float*)ib, (float*)ic, (float*)iBias, g));
    }

    private static unsafe void Row(int m, float* a, float* b, float* c, float* bias, GemmArgs g)
    {
        float* cRow = c + (nint)m * g.Ldc;
        int width = Vector<float>.Count;
        if (g.TransB == 0)
        {
            const int chunk = 512; // columns accumulated at once, on the stack
            float* acc = stackalloc float[chunk];
            nint aStep = g.TransA != 0 ? g.Lda : 1;
            float* aRow = g.TransA != 0 ? a + m : a + (nint)m * g.Lda;
            for (int n0 = 0; n0 < g.N; n0 += chunk)
            {
                int count = Math.Min(chunk, g.N - n0);
                new Span<float>(acc, count).Clear();
                for (int k = 0; k < g.K; k++)
                {
                    float av = aRow[k * aStep];
                    float* bRow = b + (nint)k * g.Ldb + n0;
                    var avv = new Vector<float>(av);
                    int n = 0;
                    for (; n <= count - width; n += width)
                        Vector.Store(Vector.Load(acc + n) + avv * Vector.Load(bRow + n), acc + n);
                    for (; n < count; n++) acc[n] += av * bRow[n];
                }
                for (int n = 0; n < count; n++) Store(cRow, bias, g, n0 + n, acc[n]);
            }
        }
        else if (g.TransA == 0)
        {
            float* aRow = a + (nint)m * g.Lda;
            for (int n = 0; n < g.N; n++)
            {
                float* bRow = b + (nint)n * g.Ldb;
                var sum = Vector<float>.Zero;
                int k = 0;
                for (; k <= g.K - width; k += width)
                    sum += Vector.Load(aRow + k) * Vector.Load(bRow + k);
                float s = Vector.Sum(sum);
                for (; k < g.K; k++) s += aRow[k] * bRow[k];
                Store(cRow, bias, g, n, s);
            }
        }
        else
        {
            for (int n = 0; n < g.N; n++)
            {
                float s = 0f;
                for (int k = 0; k < g.K; k++) s += a[(nint)k * g.Lda + m] * b[(nint)n * g.Ldb + k];
                Store(cRow, bias, g, n, s);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* cRow, float* bias, GemmArgs g, int n, float sum)
    {
        float value = g.Alpha * sum;
        if (g.Beta != 0f) value += g.Beta * cRow[n];
        if (bias != null) value += bias[n];
        cRow[n] = value;
    }

    /// <summary>
    /// A CPU-accelerator view's first element in host memory. The generic constraint reaches the
    /// public view interfaces without boxing, so nothing is allocated per call.
    /// </summary>
    private static unsafe float* Address<TView>(TView view) where TView : IArrayView, IContiguousArrayView =>
        (float*)(view.Buffer.NativePtr + (nint)view.IndexInBytes);
}
