using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The AVX-512 micro-kernel for a row operand already packed k-major (<see cref="HostGemm"/>'s
/// far-strided rows: dGᵀ of the weight gradients): a 16 x 32 block of C as two 16 x 16 halves, each
/// one vector of columns against 16 row elements that are read once per k, so the JIT folds each
/// broadcast into its FMA (vfmadd231ps with a {1to16} memory operand): 17 instructions per 16 FMAs,
/// where the 8 x 32 kernel, broadcasting into a register used twice, also issues 8 register moves.
/// Every element of C is still Σ_k in ascending k with one FMA per k, the same bits as the 8 x 32 kernel.
/// </summary>
internal static unsafe class HostTallKernel
{
    /// <summary>Rows per packed block.</summary>
    public const int Rows = 16;

    /// <summary>acc[r, 0..32) (row stride 32) = Σ_k rows[k·16 + r] · cols[k·ld + 0..32) for r &lt; 16.</summary>
    public static void Run(float* rows, float* cols, nint ld, int kc, float* acc)
    {
        Half(rows, cols, ld, kc, acc);
        Half(rows, cols + 16, ld, kc, acc + 16);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Half(float* r, float* cols, nint ld, int kc, float* acc)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int k = 0; k < kc; k++)
        {
            var b = Vector512.Load(cols);
            cols += ld;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(r[0]), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(r[1]), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(r[2]), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(r[3]), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(r[4]), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(r[5]), b, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(r[6]), b, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(r[7]), b, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(r[8]), b, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(r[9]), b, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(r[10]), b, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(r[11]), b, c11);
            c12 = Vector512.FusedMultiplyAdd(Vector512.Create(r[12]), b, c12);
            c13 = Vector512.FusedMultiplyAdd(Vector512.Create(r[13]), b, c13);
            c14 = Vector512.FusedMultiplyAdd(Vector512.Create(r[14]), b, c14);
            c15 = Vector512.FusedMultiplyAdd(Vector512.Create(r[15]), b, c15);
            r += Rows;
        }
        const int ldc = 32;
        c0.Store(acc); c1.Store(acc + ldc); c2.Store(acc + 2 * ldc); c3.Store(acc + 3 * ldc);
        c4.Store(acc + 4 * ldc); c5.Store(acc + 5 * ldc); c6.Store(acc + 6 * ldc); c7.Store(acc + 7 * ldc);
        c8.Store(acc + 8 * ldc); c9.Store(acc + 9 * ldc); c10.Store(acc + 10 * ldc); c11.Store(acc + 11 * ldc);
        c12.Store(acc + 12 * ldc); c13.Store(acc + 13 * ldc); c14.Store(acc + 14 * ldc); c15.Store(acc + 15 * ldc);
    }
}
