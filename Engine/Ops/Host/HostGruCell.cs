using System.Numerics;
using System.Runtime.CompilerServices;
using IlgpuLstm.Kernels;
using static IlgpuLstm.Engine.Ops.Host.HostCellRows;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The GRU cell on the host, with the contract of Kernels/GruCell (gate order r, z, n; forward
/// leaves the activated gates in gx and keeps gh). Forward is one SIMD loop over a row's gate
/// spans (<see cref="HostActivations"/>); backward one whose scalar tail is the kernels' own
/// <see cref="GruCell.UnitGradient"/>.
/// </summary>
internal static unsafe class HostGruCell
{
    public static void Forward(WorkerPool pool, float* gx, float* gh, float* hPrev, float* h, int batch, int hidden) =>
        Run(pool, new Job { Row = &ForwardRow, P0 = gx, P1 = gh, P2 = hPrev, P3 = h }, batch, hidden, 3);

    public static void Backward(WorkerPool pool, float* gates, float* gh, float* hPrev, float* dh, float* dGx,
        float* dGh, float* dhPrev, int batch, int hidden) =>
        Run(pool, new Job { Row = &BackwardRow, P0 = gates, P1 = gh, P2 = hPrev, P3 = dh, P4 = dGx, P5 = dGh, P6 = dhPrev },
            batch, hidden, 3);

    private static void ForwardRow(ref Job j, int b)
    {
        nint o = (nint)b * j.Hidden;
        ForwardSpan(j.P0 + 3 * o, j.P1 + 3 * o, j.P2 + o, j.P3 + o, j.Hidden, 0, j.Hidden);
    }

    /// <summary>Units [j0, j0 + n) of one batch row (see <see cref="HostLstmCell.ForwardSpan"/>).</summary>
    public static void ForwardSpan(float* gx, float* gh, float* hPrev, float* h, int hidden, int j0, int n)
    {
        if (HostGemm.WideVectors) ForwardSpan<Wide>(gx, gh, hidden, hPrev, h, hidden, j0, n);
        else ForwardSpan<Narrow>(gx, gh, hidden, hPrev, h, hidden, j0, n);
    }

    /// <summary>As above, with gh's gates <paramref name="ghStride"/> floats apart (the fused step's own block).</summary>
    public static void ForwardSpan<V>(float* gx, float* gh, nint ghStride, float* hPrev, float* h, int hidden, int j0, int n)
        where V : struct, ISimd<V>
    {
        int w = V.Count, k = j0, end = j0 + n;
        for (; k <= end - w; k += w) Units<V>(gx + k, hidden, gh + k, ghStride, hPrev + k, h + k);
        int rest = end - k;
        if (rest == 0) return;
        float* pad = stackalloc float[8 * 16]; // gx's 3 gates, gh's 3, hPrev, h
        for (int q = 0; q < 3; q++)
        {
            PadIn(gx + q * hidden + k, pad + q * w, rest, w);
            PadIn(gh + q * ghStride + k, pad + (3 + q) * w, rest, w);
        }
        PadIn(hPrev + k, pad + 6 * w, rest, w);
        Units<V>(pad, w, pad + 3 * w, w, pad + 6 * w, pad + 7 * w);
        for (int q = 0; q < 3; q++) PadOut(pad + q * w, gx + q * hidden + k, rest);
        PadOut(pad + 7 * w, h + k, rest);
    }

    /// <summary>GruCell.Unit for one vector of units: n = tanh(gx_n + r·gh_n), h = n + z (h_prev - n).</summary>
    // Not inlined: its own inlining budget, so every vector operation in it is inlined.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Units<V>(float* gx, nint gxStride, float* gh, nint ghStride, float* hPrev, float* h)
        where V : struct, ISimd<V>
    {
        var r = HostActivations.Sigmoid(V.Add(V.Load(gx), V.Load(gh)));
        var z = HostActivations.Sigmoid(V.Add(V.Load(gx + gxStride), V.Load(gh + ghStride)));
        var n = HostActivations.Tanh(V.Fma(r, V.Load(gh + 2 * ghStride), V.Load(gx + 2 * gxStride)));
        V.Store(r, gx); V.Store(z, gx + gxStride); V.Store(n, gx + 2 * gxStride);
        V.Store(V.Fma(z, V.Subtract(V.Load(hPrev), n), n), h);
    }

    private static void BackwardRow(ref Job j, int b)
    {
        int h = j.Hidden;
        float* gates = j.P0 + (nint)b * 3 * h, gh = j.P1 + (nint)b * 3 * h;
        float* dGx = j.P4 + (nint)b * 3 * h, dGh = j.P5 + (nint)b * 3 * h;
        float* hPrev = j.P2 + (nint)b * h, dh = j.P3 + (nint)b * h, dhPrev = j.P6 + (nint)b * h;
        int w = Vector<float>.Count, k = 0;
        var one = Vector<float>.One;
        // GruCell.UnitGradient, a vector of units at a time.
        for (; k <= h - w; k += w)
        {
            var r = Vector.Load(gates + k); var z = Vector.Load(gates + h + k); var n = Vector.Load(gates + 2 * h + k);
            var dhv = Vector.Load(dh + k);
            var dn = dhv * (one - z) * (one - n * n);
            var dz = dhv * (Vector.Load(hPrev + k) - n) * z * (one - z);
            var dr = dn * Vector.Load(gh + 2 * h + k) * r * (one - r);
            dr.Store(dGx + k); dz.Store(dGx + h + k); dn.Store(dGx + 2 * h + k);
            dr.Store(dGh + k); dz.Store(dGh + h + k); (dn * r).Store(dGh + 2 * h + k);
            (Vector.Load(dhPrev + k) + dhv * z).Store(dhPrev + k);
        }
        for (; k < h; k++)
        {
            var d = GruCell.UnitGradient(gates[k], gates[h + k], gates[2 * h + k], gh[2 * h + k], hPrev[k], dh[k]);
            dGx[k] = d.DR; dGx[h + k] = d.DZ; dGx[2 * h + k] = d.DN;
            dGh[k] = d.DR; dGh[h + k] = d.DZ; dGh[2 * h + k] = d.DGhN;
            dhPrev[k] += d.DhPrevDirect;
        }
    }
}
