using System.Numerics;
using System.Numerics.Tensors;
using IlgpuLstm.Kernels;
using static IlgpuLstm.Engine.Ops.Host.HostCellRows;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The GRU cell on the host, with the contract of Kernels/GruCell (gate order r, z, n; forward
/// leaves the activated gates in gx and keeps gh). Forward is <see cref="TensorPrimitives"/>
/// calls over a row's gate spans; backward one SIMD loop whose scalar tail is the kernels' own
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
        float* r = gx + j0, z = r + hidden, nn = z + hidden;
        TensorPrimitives.Add(S(r, n), S(gh + j0, n), S(r, n));
        TensorPrimitives.Add(S(z, n), S(gh + hidden + j0, n), S(z, n));
        TensorPrimitives.Sigmoid(S(r, n), S(r, n));
        TensorPrimitives.Sigmoid(S(z, n), S(z, n));
        // n = tanh(gx_n + r * gh_n); h = (1 - z) n + z h_prev = n + z (h_prev - n)
        TensorPrimitives.MultiplyAdd(S(r, n), S(gh + 2 * hidden + j0, n), S(nn, n), S(nn, n));
        TensorPrimitives.Tanh(S(nn, n), S(nn, n));
        TensorPrimitives.Subtract(S(hPrev + j0, n), S(nn, n), S(h + j0, n));
        TensorPrimitives.MultiplyAdd(S(z, n), S(h + j0, n), S(nn, n), S(h + j0, n));
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
