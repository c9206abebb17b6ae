using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>The activated gates of one GRU unit and its new h.</summary>
internal struct GruUnit
{
    public float R, Z, N, H;
}

/// <summary>The gradients of one GRU unit's pre-activations (gx and gh differ only in n) and its direct dL/dh_{t-1} path.</summary>
internal struct GruUnitGradient
{
    public float DR, DZ, DN, DGhN, DhPrevDirect;
}

/// <summary>
/// One GRU time step, PyTorch semantics and gate order r, z, n:
/// <c>r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r * gh_n), h = (1 - z) * n + z * h_prev</c>,
/// with <c>gx = x W_ih^T + b_ih</c> and <c>gh = h_prev W_hh^T + b_hh</c> (B x 3H each).
/// <see cref="Unit"/> and <see cref="UnitGradient"/> are the math of one unit, shared by the cell
/// kernels, the fused step and the host path's scalar tails. Forward overwrites gx with
/// (r, z, n) and keeps gh, whose n block backward needs. One thread per (b, j) of B x H.
/// </summary>
internal static class GruCell
{
    /// <summary>The unit's gates from gx + gh (r, z), gx_n and gh_n, and its new h.</summary>
    public static GruUnit Unit(float pr, float pz, float gxN, float ghN, float hPrev)
    {
        GruUnit u;
        u.R = Activations.Sigmoid(pr);
        u.Z = Activations.Sigmoid(pz);
        u.N = Activations.Tanh(gxN + u.R * ghN);
        u.H = (1f - u.Z) * u.N + u.Z * hPrev;
        return u;
    }

    public static GruUnitGradient UnitGradient(float r, float z, float n, float ghN, float hPrev, float dh)
    {
        GruUnitGradient d;
        d.DN = dh * (1f - z) * (1f - n * n);
        d.DZ = dh * (hPrev - n) * z * (1f - z);
        d.DR = d.DN * ghN * r * (1f - r);
        d.DGhN = d.DN * r;
        d.DhPrevDirect = dh * z;
        return d;
    }

    public static void Forward(Index1D index, ArrayView<float> gx, ArrayView<float> gh,
        ArrayView<float> hPrev, ArrayView<float> hOut, int hidden)
    {
        int b = index / hidden;
        int j = index % hidden;
        int ri = b * 3 * hidden + j, zi = ri + hidden, ni = zi + hidden;
        var u = Unit(gx[ri] + gh[ri], gx[zi] + gh[zi], gx[ni], gh[ni], hPrev[index]);
        gx[ri] = u.R; gx[zi] = u.Z; gx[ni] = u.N;
        hOut[index] = u.H;
    }

    /// <summary>
    /// <paramref name="dh"/> is the whole gradient reaching h_t. Writes the gradients of gx and
    /// gh (they differ only in the n block: dgh_n = dgx_n * r) and adds the direct path
    /// <c>dh * z</c> into <paramref name="dhPrev"/>; the caller adds <c>dgh W_hh</c> to it.
    /// </summary>
    public static void Backward(Index1D index, ArrayView<float> gates, ArrayView<float> gh,
        ArrayView<float> hPrev, ArrayView<float> dh, ArrayView<float> dGx, ArrayView<float> dGh,
        ArrayView<float> dhPrev, int hidden)
    {
        int b = index / hidden;
        int j = index % hidden;
        int ri = b * 3 * hidden + j, zi = ri + hidden, ni = zi + hidden;
        var d = UnitGradient(gates[ri], gates[zi], gates[ni], gh[ni], hPrev[index], dh[index]);
        dGx[ri] = d.DR; dGx[zi] = d.DZ; dGx[ni] = d.DN;
        dGh[ri] = d.DR; dGh[zi] = d.DZ; dGh[ni] = d.DGhN;
        dhPrev[index] += d.DhPrevDirect;
    }
}
