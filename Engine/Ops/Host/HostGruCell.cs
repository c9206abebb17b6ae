using System.Runtime.CompilerServices;
using IlgpuLstm.Kernels;
using static IlgpuLstm.Engine.Ops.Host.HostCellRows;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The GRU cell on the host, with the contract of Kernels/GruCell (gate order r, z, n; forward
/// leaves the activated gates in gx and keeps gh). Forward and backward are each one SIMD loop
/// over a row's gate spans (<see cref="HostActivations"/>), the last units, fewer than a vector,
/// through the same loop body on zero-padded copies.
/// </summary>
internal static unsafe class HostGruCell
{
    public static void Forward(WorkerPool pool, float* gx, float* gh, float* hPrev, float* h, int batch, int hidden) =>
        Run(pool, new Job { Row = &ForwardRow, P0 = gx, P1 = gh, P2 = hPrev, P3 = h }, batch, hidden, 3);

    public static void Backward(WorkerPool pool, float* gates, float* gh, float* hPrev, float* dh, float* dGx,
        float* dGh, float* dhPrev, int batch, int hidden) =>
        Run(pool, BackwardJob(gates, gh, hPrev, dh, dGx, dGh, dhPrev, hidden), batch, hidden, 3);

    /// <summary>The backward pass's per-row job (<see cref="Job.Row"/>), for a caller that runs rows itself.</summary>
    public static Job BackwardJob(float* gates, float* gh, float* hPrev, float* dh, float* dGx, float* dGh, float* dhPrev,
        int hidden) =>
        new() { Row = &BackwardRow, P0 = gates, P1 = gh, P2 = hPrev, P3 = dh, P4 = dGx, P5 = dGh, P6 = dhPrev, Hidden = hidden };

    private static void ForwardRow(ref Job j, int b)
    {
        nint o = (nint)b * j.Hidden;
        ForwardSpan(j.P0 + 3 * o, j.P1 + 3 * o, j.P2 + o, j.P3 + o, j.Hidden, 0, j.Hidden);
    }

    /// <summary>Units [j0, j0 + n) of one batch row (see <see cref="HostLstmCell.ForwardSpan"/>).</summary>
    public static void ForwardSpan(float* gx, float* gh, float* hPrev, float* h, int hidden, int j0, int n)
    {
        if (HostSimd.Is512) ForwardSpan<Vec512>(gx, gh, hidden, hPrev, h, hidden, j0, n);
        else if (HostSimd.Is256) ForwardSpan<Vec256>(gx, gh, hidden, hPrev, h, hidden, j0, n);
        else ForwardSpan<Vec128>(gx, gh, hidden, hPrev, h, hidden, j0, n);
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
        float* gates = j.P0 + (nint)b * 3 * h, ghN = j.P1 + (nint)b * 3 * h + 2 * h;
        float* dGx = j.P4 + (nint)b * 3 * h, dGh = j.P5 + (nint)b * 3 * h;
        float* hPrev = j.P2 + (nint)b * h, dh = j.P3 + (nint)b * h, dhPrev = j.P6 + (nint)b * h;
        if (HostSimd.Is512) BackwardRow<Vec512>(gates, ghN, hPrev, dh, dhPrev, dGx, dGh, h);
        else if (HostSimd.Is256) BackwardRow<Vec256>(gates, ghN, hPrev, dh, dhPrev, dGx, dGh, h);
        else BackwardRow<Vec128>(gates, ghN, hPrev, dh, dhPrev, dGx, dGh, h);
    }

    private static void BackwardRow<V>(float* gates, float* ghN, float* hPrev, float* dh, float* dhPrev, float* dGx,
        float* dGh, int h) where V : struct, ISimd<V>
    {
        int w = V.Count, k = 0;
        for (; k <= h - w; k += w)
            UnitGradients<V>(gates + k, h, ghN + k, hPrev + k, dh + k, dhPrev + k, dGx + k, dGh + k, h);
        int rest = h - k;
        if (rest == 0) return;
        float* pad = stackalloc float[13 * 16]; // gates' 3, gh_n, hPrev, dh, dhPrev, dGx's 3, dGh's 3
        for (int q = 0; q < 3; q++) PadIn(gates + q * h + k, pad + q * w, rest, w);
        PadIn(ghN + k, pad + 3 * w, rest, w);
        PadIn(hPrev + k, pad + 4 * w, rest, w);
        PadIn(dh + k, pad + 5 * w, rest, w);
        PadIn(dhPrev + k, pad + 6 * w, rest, w);
        UnitGradients<V>(pad, w, pad + 3 * w, pad + 4 * w, pad + 5 * w, pad + 6 * w, pad + 7 * w, pad + 10 * w, w);
        for (int q = 0; q < 3; q++)
        {
            PadOut(pad + (7 + q) * w, dGx + q * h + k, rest);
            PadOut(pad + (10 + q) * w, dGh + q * h + k, rest);
        }
        PadOut(pad + 6 * w, dhPrev + k, rest);
    }

    /// <summary>GruCell.UnitGradient for one vector of units (gates, dGx and dGh stride apart); dhPrev gains the direct path.</summary>
    // Not inlined: its own inlining budget, so every vector operation in it is inlined.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void UnitGradients<V>(float* gates, nint stride, float* ghN, float* hPrev, float* dh, float* dhPrev,
        float* dGx, float* dGh, nint dStride) where V : struct, ISimd<V>
    {
        var one = V.Broadcast(1f);
        var r = V.Load(gates);
        var z = V.Load(gates + stride);
        var n = V.Load(gates + 2 * stride);
        var dhv = V.Load(dh);
        var dn = V.Multiply(V.Multiply(dhv, V.Subtract(one, z)), V.Subtract(one, V.Multiply(n, n)));
        var dz = V.Multiply(V.Multiply(V.Multiply(dhv, V.Subtract(V.Load(hPrev), n)), z), V.Subtract(one, z));
        var dr = V.Multiply(V.Multiply(V.Multiply(dn, V.Load(ghN)), r), V.Subtract(one, r));
        V.Store(dr, dGx); V.Store(dz, dGx + dStride); V.Store(dn, dGx + 2 * dStride);
        V.Store(dr, dGh); V.Store(dz, dGh + dStride); V.Store(V.Multiply(dn, r), dGh + 2 * dStride);
        V.Store(V.Add(V.Load(dhPrev), V.Multiply(dhv, z)), dhPrev);
    }
}
