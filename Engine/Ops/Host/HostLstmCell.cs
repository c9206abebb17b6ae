using System.Runtime.CompilerServices;
using IlgpuLstm.Kernels;
using static IlgpuLstm.Engine.Ops.Host.HostCellRows;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The LSTM cell on the host, with the contract of Kernels/LstmCell (gate order i, f, g, o;
/// forward leaves the activated gates in gx). Inside a row each gate block is a contiguous span
/// of H, so forward and backward are each one SIMD loop over it (<see cref="HostActivations"/>),
/// the last units, fewer than a vector, through the same loop body on zero-padded copies.
/// </summary>
internal static unsafe class HostLstmCell
{
    public static void Forward(WorkerPool pool, float* gx, float* gh, float* cPrev, float* c, float* h, int batch,
        int hidden) =>
        Run(pool, new Job { Row = &ForwardRow, P0 = gx, P1 = gh, P2 = cPrev, P3 = c, P4 = h }, batch, hidden, 4);

    public static void Backward(WorkerPool pool, float* gates, float* cPrev, float* c, float* dh, float* dc,
        float* dGates, int batch, int hidden) =>
        Run(pool, BackwardJob(gates, cPrev, c, dh, dc, dGates, hidden), batch, hidden, 4);

    /// <summary>The backward pass's per-row job (<see cref="Job.Row"/>), for a caller that runs rows itself.</summary>
    public static Job BackwardJob(float* gates, float* cPrev, float* c, float* dh, float* dc, float* dGates, int hidden) =>
        new() { Row = &BackwardRow, P0 = gates, P1 = cPrev, P2 = c, P3 = dh, P4 = dc, P5 = dGates, Hidden = hidden };

    private static void ForwardRow(ref Job j, int b)
    {
        nint o = (nint)b * j.Hidden;
        ForwardSpan(j.P0 + 4 * o, j.P1 + 4 * o, j.P2 + o, j.P3 + o, j.P4 + o, j.Hidden, 0, j.Hidden);
    }

    /// <summary>
    /// Units [j0, j0 + n) of one batch row: gx and gh point at the row's 4H gates, cPrev, c and h
    /// at its H units. The fused time step calls this on the unit block it has just multiplied.
    /// </summary>
    public static void ForwardSpan(float* gx, float* gh, float* cPrev, float* c, float* h, int hidden, int j0, int n)
    {
        if (HostSimd.Is512) ForwardSpan<Vec512>(gx, gh, hidden, cPrev, c, h, hidden, j0, n);
        else if (HostSimd.Is256) ForwardSpan<Vec256>(gx, gh, hidden, cPrev, c, h, hidden, j0, n);
        else ForwardSpan<Vec128>(gx, gh, hidden, cPrev, c, h, hidden, j0, n);
    }

    /// <summary>As above, with gh's gates <paramref name="ghStride"/> floats apart (the fused step's own block).</summary>
    public static void ForwardSpan<V>(float* gx, float* gh, nint ghStride, float* cPrev, float* c, float* h, int hidden,
        int j0, int n) where V : struct, ISimd<V>
    {
        int w = V.Count, k = j0, end = j0 + n;
        for (; k <= end - w; k += w) Units<V>(gx + k, hidden, gh + k, ghStride, cPrev + k, c + k, h + k);
        int rest = end - k;
        if (rest == 0) return;
        float* pad = stackalloc float[11 * 16]; // gx's 4 gates, gh's 4, cPrev, c, h
        for (int q = 0; q < 4; q++)
        {
            PadIn(gx + q * hidden + k, pad + q * w, rest, w);
            PadIn(gh + q * ghStride + k, pad + (4 + q) * w, rest, w);
        }
        PadIn(cPrev + k, pad + 8 * w, rest, w);
        Units<V>(pad, w, pad + 4 * w, w, pad + 8 * w, pad + 9 * w, pad + 10 * w);
        for (int q = 0; q < 4; q++) PadOut(pad + q * w, gx + q * hidden + k, rest);
        PadOut(pad + 9 * w, c + k, rest);
        PadOut(pad + 10 * w, h + k, rest);
    }

    /// <summary>LstmCell.Unit for one vector of units; gx's and gh's gates lie gxStride and ghStride floats apart.</summary>
    // Not inlined: its own inlining budget, so every vector operation in it is inlined.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Units<V>(float* gx, nint gxStride, float* gh, nint ghStride, float* cPrev, float* c, float* h)
        where V : struct, ISimd<V>
    {
        var i = HostActivations.Sigmoid(V.Add(V.Load(gx), V.Load(gh)));
        var f = HostActivations.Sigmoid(V.Add(V.Load(gx + gxStride), V.Load(gh + ghStride)));
        var g = HostActivations.Tanh(V.Add(V.Load(gx + 2 * gxStride), V.Load(gh + 2 * ghStride)));
        var o = HostActivations.Sigmoid(V.Add(V.Load(gx + 3 * gxStride), V.Load(gh + 3 * ghStride)));
        V.Store(i, gx); V.Store(f, gx + gxStride); V.Store(g, gx + 2 * gxStride); V.Store(o, gx + 3 * gxStride);
        var cell = V.Fma(i, g, V.Multiply(f, V.Load(cPrev)));
        V.Store(cell, c);
        V.Store(V.Multiply(o, HostActivations.Tanh(cell)), h);
    }

    private static void BackwardRow(ref Job j, int b)
    {
        int h = j.Hidden;
        float* gates = j.P0 + (nint)b * 4 * h, dG = j.P5 + (nint)b * 4 * h;
        float* cPrev = j.P1 + (nint)b * h, c = j.P2 + (nint)b * h, dh = j.P3 + (nint)b * h, dc = j.P4 + (nint)b * h;
        if (HostSimd.Is512) BackwardRow<Vec512>(gates, cPrev, c, dh, dc, dG, h);
        else if (HostSimd.Is256) BackwardRow<Vec256>(gates, cPrev, c, dh, dc, dG, h);
        else BackwardRow<Vec128>(gates, cPrev, c, dh, dc, dG, h);
    }

    private static void BackwardRow<V>(float* gates, float* cPrev, float* c, float* dh, float* dc, float* dG, int h)
        where V : struct, ISimd<V>
    {
        int w = V.Count, k = 0;
        for (; k <= h - w; k += w) UnitGradients<V>(gates + k, h, cPrev + k, c + k, dh + k, dc + k, dG + k, h);
        int rest = h - k;
        if (rest == 0) return;
        float* pad = stackalloc float[12 * 16]; // gates' 4, cPrev, c, dh, dc, dG's 4
        for (int q = 0; q < 4; q++) PadIn(gates + q * h + k, pad + q * w, rest, w);
        PadIn(cPrev + k, pad + 4 * w, rest, w);
        PadIn(c + k, pad + 5 * w, rest, w);
        PadIn(dh + k, pad + 6 * w, rest, w);
        PadIn(dc + k, pad + 7 * w, rest, w);
        UnitGradients<V>(pad, w, pad + 4 * w, pad + 5 * w, pad + 6 * w, pad + 7 * w, pad + 8 * w, w);
        for (int q = 0; q < 4; q++) PadOut(pad + (8 + q) * w, dG + q * h + k, rest);
        PadOut(pad + 7 * w, dc + k, rest);
    }

    /// <summary>
    /// LstmCell.UnitGradient for one vector of units (gates and dG stride apart), tanh(c) from the
    /// same <see cref="HostActivations.Tanh"/> that made h in the forward pass; dc becomes dL/dc_{t-1}.
    /// </summary>
    // Not inlined: its own inlining budget, so every vector operation in it is inlined.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void UnitGradients<V>(float* gates, nint stride, float* cPrev, float* c, float* dh, float* dc, float* dG,
        nint dGStride) where V : struct, ISimd<V>
    {
        var one = V.Broadcast(1f);
        var i = V.Load(gates);
        var f = V.Load(gates + stride);
        var g = V.Load(gates + 2 * stride);
        var o = V.Load(gates + 3 * stride);
        var tc = HostActivations.Tanh(V.Load(c));
        var dhv = V.Load(dh);
        var dcv = V.Add(V.Load(dc), V.Multiply(V.Multiply(dhv, o), V.Subtract(one, V.Multiply(tc, tc))));
        V.Store(V.Multiply(V.Multiply(V.Multiply(dcv, g), i), V.Subtract(one, i)), dG);
        V.Store(V.Multiply(V.Multiply(V.Multiply(dcv, V.Load(cPrev)), f), V.Subtract(one, f)), dG + dGStride);
        V.Store(V.Multiply(V.Multiply(dcv, i), V.Subtract(one, V.Multiply(g, g))), dG + 2 * dGStride);
        V.Store(V.Multiply(V.Multiply(V.Multiply(dhv, tc), o), V.Subtract(one, o)), dG + 3 * dGStride);
        V.Store(V.Multiply(dcv, f), dc);
    }
}
