using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using IlgpuLstm.Kernels;
using static IlgpuLstm.Engine.Ops.Host.HostCellRows;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The LSTM cell on the host, with the contract of Kernels/LstmCell (gate order i, f, g, o;
/// forward leaves the activated gates in gx). Inside a row each gate block is a contiguous span
/// of H, so forward is one SIMD loop over it (<see cref="HostActivations"/>) and backward one
/// whose scalar tail is the kernels' own <see cref="LstmCell.UnitGradient"/>.
/// </summary>
internal static unsafe class HostLstmCell
{
    public static void Forward(WorkerPool pool, float* gx, float* gh, float* cPrev, float* c, float* h, int batch,
        int hidden) =>
        Run(pool, new Job { Row = &ForwardRow, P0 = gx, P1 = gh, P2 = cPrev, P3 = c, P4 = h }, batch, hidden, 4);

    public static void Backward(WorkerPool pool, float* gates, float* cPrev, float* c, float* dh, float* dc,
        float* dGates, int batch, int hidden) =>
        Run(pool, new Job { Row = &BackwardRow, P0 = gates, P1 = cPrev, P2 = c, P3 = dh, P4 = dc, P5 = dGates },
            batch, hidden, 4);

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
        if (HostGemm.WideVectors) ForwardSpan<Wide>(gx, gh, hidden, cPrev, c, h, hidden, j0, n);
        else ForwardSpan<Narrow>(gx, gh, hidden, cPrev, c, h, hidden, j0, n);
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
        const int band = 512;
        float* tanhC = stackalloc float[band];
        for (int k0 = 0; k0 < h; k0 += band)
        {
            int n = Math.Min(band, h - k0);
            TensorPrimitives.Tanh(S(c + k0, n), S(tanhC, n));
            int w = Vector<float>.Count, k = 0;
            var one = Vector<float>.One;
            // LstmCell.UnitGradient, a vector of units at a time.
            for (; k <= n - w; k += w)
            {
                int q = k0 + k;
                var i = Vector.Load(gates + q); var f = Vector.Load(gates + h + q);
                var g = Vector.Load(gates + 2 * h + q); var o = Vector.Load(gates + 3 * h + q);
                var tc = Vector.Load(tanhC + k); var dhv = Vector.Load(dh + q);
                var dcv = Vector.Load(dc + q) + dhv * o * (one - tc * tc);
                (dcv * g * i * (one - i)).Store(dG + q);
                (dcv * Vector.Load(cPrev + q) * f * (one - f)).Store(dG + h + q);
                (dcv * i * (one - g * g)).Store(dG + 2 * h + q);
                (dhv * tc * o * (one - o)).Store(dG + 3 * h + q);
                (dcv * f).Store(dc + q);
            }
            for (; k < n; k++)
            {
                int q = k0 + k;
                var d = LstmCell.UnitGradient(gates[q], gates[h + q], gates[2 * h + q], gates[3 * h + q], cPrev[q],
                    tanhC[k], dh[q], dc[q]);
                dG[q] = d.DI; dG[h + q] = d.DF; dG[2 * h + q] = d.DG; dG[3 * h + q] = d.DO;
                dc[q] = d.DcPrev;
            }
        }
    }
}
