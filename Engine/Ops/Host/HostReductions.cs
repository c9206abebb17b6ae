using System.Runtime.CompilerServices;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// Sums and dot products whose bits do not depend on the SIMD width. Library reductions
/// (TensorPrimitives.Sum, Dot) keep one partial sum per lane of whatever vector the CPU has, so
/// AVX-512, AVX2 and NEON add the same numbers in different orders. Here element i always goes into
/// partial sum i mod 32, in ascending i (one, two or eight vectors of them, by width; a ragged end
/// through a zero-padded copy), and the 32 partials are added in one fixed tree.
/// </summary>
internal static unsafe class HostReductions
{
    /// <summary>Partial sums: enough independent chains to hide the add latency with 256-bit vectors.</summary>
    private const int Lanes = 32;

    public static float Sum(float* x, int n) => Reduce(x, null, n, Kind.Sum);

    public static float SumOfSquares(float* x, int n) => Reduce(x, null, n, Kind.Squares);

    public static float Dot(float* a, float* b, int n) => Reduce(a, b, n, Kind.Dot);

    internal enum Kind { Sum, Squares, Dot }

    private static float Reduce(float* a, float* b, int n, Kind kind)
    {
        if (HostSimd.Is512) return Reduce<Vec512>(a, b, n, kind);
        if (HostSimd.Is256) return Reduce<Vec256>(a, b, n, kind);
        return Reduce<Vec128>(a, b, n, kind);
    }

    /// <summary>One width's reduction, for tests that compare the widths' bits in one process.</summary>
    [SkipLocalsInit]
    internal static float Reduce<V>(float* a, float* b, int n, Kind kind) where V : struct, ISimd<V>
    {
        float* partial = stackalloc float[Lanes];
        for (int v = 0; v < Lanes; v += V.Count) V.Store(V.Zero, partial + v);
        int full = n / Lanes * Lanes;
        Accumulate<V>(a, b, full, kind, partial);
        if (full < n)
        {
            // The ragged end as one more block, zero-padded: a zero adds nothing to any partial sum.
            float* padA = stackalloc float[Lanes];
            float* padB = stackalloc float[Lanes];
            for (int i = 0; i < Lanes; i++)
            {
                padA[i] = full + i < n ? a[full + i] : 0f;
                padB[i] = b != null && full + i < n ? b[full + i] : 0f;
            }
            Accumulate<V>(padA, b != null ? padB : null, Lanes, kind, partial);
        }
        for (int half = Lanes / 2; half > 0; half /= 2)
            for (int i = 0; i < half; i++) partial[i] += partial[i + half];
        return partial[0];
    }

    /// <summary>
    /// partial[j] += the elements i ≡ j (mod 32) of [0, n), n a multiple of 32, in ascending i: the
    /// 32 partials as 2, 4 or 8 vectors, all carried through the loop together.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<V>(float* a, float* b, int n, Kind kind, float* partial) where V : struct, ISimd<V>
    {
        int w = V.Count;
        bool four = 2 * w < Lanes, eight = 4 * w < Lanes;
        V p0 = V.Load(partial), p1 = V.Load(partial + w), p2 = V.Zero, p3 = V.Zero;
        V p4 = V.Zero, p5 = V.Zero, p6 = V.Zero, p7 = V.Zero;
        if (four) { p2 = V.Load(partial + 2 * w); p3 = V.Load(partial + 3 * w); }
        if (eight) { p4 = V.Load(partial + 4 * w); p5 = V.Load(partial + 5 * w); p6 = V.Load(partial + 6 * w); p7 = V.Load(partial + 7 * w); }
        for (int i = 0; i < n; i += Lanes)
        {
            p0 = Step(p0, a, b, i, kind);
            p1 = Step(p1, a, b, i + w, kind);
            if (four) { p2 = Step(p2, a, b, i + 2 * w, kind); p3 = Step(p3, a, b, i + 3 * w, kind); }
            if (eight)
            {
                p4 = Step(p4, a, b, i + 4 * w, kind); p5 = Step(p5, a, b, i + 5 * w, kind);
                p6 = Step(p6, a, b, i + 6 * w, kind); p7 = Step(p7, a, b, i + 7 * w, kind);
            }
        }
        V.Store(p0, partial); V.Store(p1, partial + w);
        if (four) { V.Store(p2, partial + 2 * w); V.Store(p3, partial + 3 * w); }
        if (eight) { V.Store(p4, partial + 4 * w); V.Store(p5, partial + 5 * w); V.Store(p6, partial + 6 * w); V.Store(p7, partial + 7 * w); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Step<V>(V acc, float* a, float* b, int i, Kind kind) where V : struct, ISimd<V>
    {
        var x = V.Load(a + i);
        return kind switch
        {
            Kind.Sum => V.Add(acc, x),
            Kind.Squares => V.Fma(x, x, acc),
            _ => V.Fma(x, V.Load(b + i), acc),
        };
    }
}
