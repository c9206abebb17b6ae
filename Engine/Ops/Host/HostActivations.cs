using System.Runtime.CompilerServices;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// exp, sigmoid and tanh a SIMD register at a time, for the host cells. The cells apply them to
/// spans of 16-32 units inside the fused time step, where a library call per span and gate cost
/// more than the arithmetic (measured: the cell took 34% of a lesson-shape forward step, 53% at 2 x 128).
/// Cephes' single-precision polynomials: within a few float ulps of the float64 functions, NaN in
/// gives NaN out (so a diverged run still reports a NaN loss), ±∞ saturate.
/// </summary>
internal static class HostActivations
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Exp<V>(V x) where V : struct, ISimd<V>
    {
        // e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2; ln 2 split in two for an exact r.
        // Clamped so that 2^n stays a normal float; NaN passes the clamps (the instructions return their second operand).
        var clamped = V.MaxNative(V.Broadcast(-87.33654f), V.MinNative(V.Broadcast(88f), x));
        var n = V.Round(V.Multiply(clamped, V.Broadcast(1.44269504088896341f)));
        var r = V.Fma(n, V.Broadcast(-0.693359375f), clamped);
        r = V.Fma(n, V.Broadcast(2.12194440e-4f), r);
        var p = V.Fma(V.Broadcast(1.9875691500e-4f), r, V.Broadcast(1.3981999507e-3f));
        p = V.Fma(p, r, V.Broadcast(8.3334519073e-3f));
        p = V.Fma(p, r, V.Broadcast(4.1665795894e-2f));
        p = V.Fma(p, r, V.Broadcast(1.6666665459e-1f));
        p = V.Fma(p, r, V.Broadcast(5.0000001201e-1f));
        var y = V.Add(V.Fma(p, V.Multiply(r, r), r), V.Broadcast(1f));
        return V.Multiply(y, V.Pow2(n));
    }

    /// <summary>1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sigmoid<V>(V x) where V : struct, ISimd<V>
    {
        var one = V.Broadcast(1f);
        return V.Divide(one, V.Add(one, Exp(V.Subtract(V.Zero, x))));
    }

    /// <summary>
    /// tanh: an odd polynomial for |x| &lt; 0.625, where 1 - 2 / (e^2x + 1) would lose the
    /// relative precision of small values; that form elsewhere (it saturates to ±1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Tanh<V>(V x) where V : struct, ISimd<V>
    {
        var one = V.Broadcast(1f);
        var z = V.Multiply(x, x);
        var p = V.Fma(V.Broadcast(-5.70498872745e-3f), z, V.Broadcast(2.06390887954e-2f));
        p = V.Fma(p, z, V.Broadcast(-5.37397155531e-2f));
        p = V.Fma(p, z, V.Broadcast(1.33314422036e-1f));
        p = V.Fma(p, z, V.Broadcast(-3.33332819422e-1f));
        var small = V.Fma(V.Multiply(p, z), x, x);
        var large = V.Subtract(one, V.Divide(V.Broadcast(2f), V.Add(Exp(V.Add(x, x)), one)));
        return V.SelectLess(z, V.Broadcast(0.390625f), small, large);
    }
}
