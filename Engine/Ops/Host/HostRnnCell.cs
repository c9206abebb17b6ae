using System.Numerics.Tensors;
using static IlgpuLstm.Engine.Ops.Host.HostCellRows;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>The tanh-RNN cell on the host, with the contract of Kernels/RnnCell: forward a SIMD loop (<see cref="HostActivations"/>), backward <see cref="TensorPrimitives"/> calls.</summary>
internal static unsafe class HostRnnCell
{
    public static void Forward(WorkerPool pool, float* gx, float* gh, float* h, int batch, int hidden) =>
        Run(pool, new Job { Row = &ForwardRow, P0 = gx, P1 = gh, P2 = h }, batch, hidden, 1);

    public static void Backward(WorkerPool pool, float* h, float* dh, float* dGates, int batch, int hidden) =>
        Run(pool, BackwardJob(h, dh, dGates, hidden), batch, hidden, 1);

    /// <summary>The backward pass's per-row job (<see cref="Job.Row"/>), for a caller that runs rows itself.</summary>
    public static Job BackwardJob(float* h, float* dh, float* dGates, int hidden) =>
        new() { Row = &BackwardRow, P0 = h, P1 = dh, P2 = dGates, Hidden = hidden };

    private static void ForwardRow(ref Job j, int b)
    {
        nint o = (nint)b * j.Hidden;
        ForwardSpan(j.P0 + o, j.P1 + o, j.P2 + o, 0, j.Hidden);
    }

    /// <summary>Units [j0, j0 + n) of one batch row (see <see cref="HostLstmCell.ForwardSpan"/>).</summary>
    public static void ForwardSpan(float* gx, float* gh, float* h, int j0, int n)
    {
        if (HostSimd.Is512) ForwardSpan<Vec512>(gx, gh, h, j0, n);
        else if (HostSimd.Is256) ForwardSpan<Vec256>(gx, gh, h, j0, n);
        else ForwardSpan<Vec128>(gx, gh, h, j0, n);
    }

    public static void ForwardSpan<V>(float* gx, float* gh, float* h, int j0, int n) where V : struct, ISimd<V>
    {
        int w = V.Count, k = j0, end = j0 + n;
        for (; k <= end - w; k += w) V.Store(HostActivations.Tanh(V.Add(V.Load(gx + k), V.Load(gh + k))), h + k);
        int rest = end - k;
        if (rest == 0) return;
        float* pad = stackalloc float[2 * 16];
        PadIn(gx + k, pad, rest, w);
        PadIn(gh + k, pad + w, rest, w);
        V.Store(HostActivations.Tanh(V.Add(V.Load(pad), V.Load(pad + w))), pad);
        PadOut(pad, h + k, rest);
    }

    private static void BackwardRow(ref Job j, int b)
    {
        int h = j.Hidden;
        nint o = (nint)b * h;
        float* hv = j.P0 + o, dh = j.P1 + o, dG = j.P2 + o;
        // dG = dh (1 - h²) = dh - dh·h·h
        TensorPrimitives.Multiply(S(hv, h), S(hv, h), S(dG, h));
        TensorPrimitives.Multiply(S(dG, h), S(dh, h), S(dG, h));
        TensorPrimitives.Subtract(S(dh, h), S(dG, h), S(dG, h));
    }
}
