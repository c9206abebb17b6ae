using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The pointwise LSTM, GRU and tanh-RNN cells on the host, with the contracts of Kernels/LstmCell,
/// GruCell and RnnCell (gate order i,f,g,o and r,z,n; forward leaves the activated gates in gx).
/// Work is split over batch rows; inside a row each gate block is a contiguous span of H, so
/// the activations are <see cref="TensorPrimitives"/> calls and backward is one SIMD loop.
/// </summary>
public static unsafe class HostCells
{
    private enum Op { LstmForward, LstmBackward, GruForward, GruBackward, RnnForward, RnnBackward }

    public static void LstmForward(WorkerPool pool, float* gx, float* gh, float* cPrev, float* c, float* h, int batch,
        int hidden) =>
        Run(pool, new Job { Op = Op.LstmForward, P0 = gx, P1 = gh, P2 = cPrev, P3 = c, P4 = h }, batch, hidden, 4);

    public static void LstmBackward(WorkerPool pool, float* gates, float* cPrev, float* c, float* dh, float* dc,
        float* dGates, int batch, int hidden) =>
        Run(pool, new Job { Op = Op.LstmBackward, P0 = gates, P1 = cPrev, P2 = c, P3 = dh, P4 = dc, P5 = dGates },
            batch, hidden, 4);

    public static void GruForward(WorkerPool pool, float* gx, float* gh, float* hPrev, float* h, int batch, int hidden) =>
        Run(pool, new Job { Op = Op.GruForward, P0 = gx, P1 = gh, P2 = hPrev, P3 = h }, batch, hidden, 3);

    public static void GruBackward(WorkerPool pool, float* gates, float* gh, float* hPrev, float* dh, float* dGx,
        float* dGh, float* dhPrev, int batch, int hidden) =>
        Run(pool, new Job { Op = Op.GruBackward, P0 = gates, P1 = gh, P2 = hPrev, P3 = dh, P4 = dGx, P5 = dGh, P6 = dhPrev },
            batch, hidden, 3);

    public static void RnnForward(WorkerPool pool, float* gx, float* gh, float* h, int batch, int hidden) =>
        Run(pool, new Job { Op = Op.RnnForward, P0 = gx, P1 = gh, P2 = h }, batch, hidden, 1);

    public static void RnnBackward(WorkerPool pool, float* h, float* dh, float* dGates, int batch, int hidden) =>
        Run(pool, new Job { Op = Op.RnnBackward, P0 = h, P1 = dh, P2 = dGates }, batch, hidden, 1);

    private static void Run(WorkerPool pool, Job job, int batch, int hidden, int gates)
    {
        job.Batch = batch;
        job.Hidden = hidden;
        job.Chunks = Math.Min(batch, HostOps.Chunks((long)batch * hidden * gates, HostOps.Grain / 4));
        pool.Run(&Chunk, (nint)(&job), job.Chunks);
    }

    private static void Chunk(nint p, int chunk)
    {
        ref var j = ref Unsafe.AsRef<Job>((void*)p);
        var (start, end) = HostOps.Range(j.Batch, j.Chunks, chunk);
        for (int b = start; b < end; b++)
        {
            switch (j.Op)
            {
                case Op.LstmForward: LstmForwardRow(ref j, b); break;
                case Op.LstmBackward: LstmBackwardRow(ref j, b); break;
                case Op.GruForward: GruForwardRow(ref j, b); break;
                case Op.GruBackward: GruBackwardRow(ref j, b); break;
                case Op.RnnForward: RnnForwardRow(ref j, b); break;
                default: RnnBackwardRow(ref j, b); break;
            }
        }
    }

    private static Span<float> S(float* p, int length) => new(p, length);

    private static void LstmForwardRow(ref Job j, int b)
    {
        nint o = (nint)b * j.Hidden;
        LstmForwardSpan(j.P0 + 4 * o, j.P1 + 4 * o, j.P2 + o, j.P3 + o, j.P4 + o, j.Hidden, 0, j.Hidden);
    }

    /// <summary>
    /// Units [j0, j0 + n) of one batch row: gx and gh point at the row's 4H gates, cPrev, c and h
    /// at its H units. The fused time step calls this on the unit block it has just multiplied.
    /// </summary>
    internal static void LstmForwardSpan(float* gx, float* gh, float* cPrev, float* c, float* h, int hidden, int j0,
        int n)
    {
        float* i = gx + j0, f = i + hidden, g = f + hidden, o = g + hidden;
        TensorPrimitives.Add(S(i, n), S(gh + j0, n), S(i, n));
        TensorPrimitives.Add(S(f, n), S(gh + hidden + j0, n), S(f, n));
        TensorPrimitives.Add(S(g, n), S(gh + 2 * hidden + j0, n), S(g, n));
        TensorPrimitives.Add(S(o, n), S(gh + 3 * hidden + j0, n), S(o, n));
        TensorPrimitives.Sigmoid(S(i, n), S(i, n));
        TensorPrimitives.Sigmoid(S(f, n), S(f, n));
        TensorPrimitives.Tanh(S(g, n), S(g, n));
        TensorPrimitives.Sigmoid(S(o, n), S(o, n));
        TensorPrimitives.Multiply(S(f, n), S(cPrev + j0, n), S(c + j0, n));
        TensorPrimitives.MultiplyAdd(S(i, n), S(g, n), S(c + j0, n), S(c + j0, n));
        TensorPrimitives.Tanh(S(c + j0, n), S(h + j0, n));
        TensorPrimitives.Multiply(S(h + j0, n), S(o, n), S(h + j0, n));
    }

    private static void LstmBackwardRow(ref Job j, int b)
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
                float i = gates[q], f = gates[h + q], g = gates[2 * h + q], o = gates[3 * h + q];
                float tc = tanhC[k], dhv = dh[q];
                float dcv = dc[q] + dhv * o * (1f - tc * tc);
                dG[q] = dcv * g * i * (1f - i);
                dG[h + q] = dcv * cPrev[q] * f * (1f - f);
                dG[2 * h + q] = dcv * i * (1f - g * g);
                dG[3 * h + q] = dhv * tc * o * (1f - o);
                dc[q] = dcv * f;
            }
        }
    }

    private static void GruForwardRow(ref Job j, int b)
    {
        nint o = (nint)b * j.Hidden;
        GruForwardSpan(j.P0 + 3 * o, j.P1 + 3 * o, j.P2 + o, j.P3 + o, j.Hidden, 0, j.Hidden);
    }

    /// <summary>Units [j0, j0 + n) of one batch row (see <see cref="LstmForwardSpan"/>).</summary>
    internal static void GruForwardSpan(float* gx, float* gh, float* hPrev, float* h, int hidden, int j0, int n)
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

    private static void GruBackwardRow(ref Job j, int b)
    {
        int h = j.Hidden;
        float* gates = j.P0 + (nint)b * 3 * h, gh = j.P1 + (nint)b * 3 * h;
        float* dGx = j.P4 + (nint)b * 3 * h, dGh = j.P5 + (nint)b * 3 * h;
        float* hPrev = j.P2 + (nint)b * h, dh = j.P3 + (nint)b * h, dhPrev = j.P6 + (nint)b * h;
        int w = Vector<float>.Count, k = 0;
        var one = Vector<float>.One;
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
            float r = gates[k], z = gates[h + k], n = gates[2 * h + k], dhv = dh[k];
            float dn = dhv * (1f - z) * (1f - n * n);
            float dz = dhv * (hPrev[k] - n) * z * (1f - z);
            float dr = dn * gh[2 * h + k] * r * (1f - r);
            dGx[k] = dr; dGx[h + k] = dz; dGx[2 * h + k] = dn;
            dGh[k] = dr; dGh[h + k] = dz; dGh[2 * h + k] = dn * r;
            dhPrev[k] += dhv * z;
        }
    }

    private static void RnnForwardRow(ref Job j, int b)
    {
        nint o = (nint)b * j.Hidden;
        RnnForwardSpan(j.P0 + o, j.P1 + o, j.P2 + o, 0, j.Hidden);
    }

    /// <summary>Units [j0, j0 + n) of one batch row (see <see cref="LstmForwardSpan"/>).</summary>
    internal static void RnnForwardSpan(float* gx, float* gh, float* h, int j0, int n)
    {
        TensorPrimitives.Add(S(gx + j0, n), S(gh + j0, n), S(h + j0, n));
        TensorPrimitives.Tanh(S(h + j0, n), S(h + j0, n));
    }

    private static void RnnBackwardRow(ref Job j, int b)
    {
        int h = j.Hidden;
        nint o = (nint)b * h;
        float* hv = j.P0 + o, dh = j.P1 + o, dG = j.P2 + o;
        // dG = dh (1 - h²) = dh - dh·h·h
        TensorPrimitives.Multiply(S(hv, h), S(hv, h), S(dG, h));
        TensorPrimitives.Multiply(S(dG, h), S(dh, h), S(dG, h));
        TensorPrimitives.Subtract(S(dh, h), S(dG, h), S(dG, h));
    }

    private struct Job
    {
        public Op Op;
        public float* P0, P1, P2, P3, P4, P5, P6;
        public int Batch, Hidden, Chunks;
    }
}
