using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// The pointwise part of one GRU time step, PyTorch semantics and gate order r, z, n:
/// <c>r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r * gh_n), h = (1 - z) * n + z * h_prev</c>,
/// with <c>gx = x W_ih^T + b_ih</c> and <c>gh = h_prev W_hh^T + b_hh</c> (B x 3H each).
/// Forward overwrites gx with (r, z, n) and keeps gh, whose n block backward needs.
/// One thread per (b, j) of B x H.
/// </summary>
public static class GruCell
{
    public static void Forward(Index1D index, ArrayView<float> gx, ArrayView<float> gh,
        ArrayView<float> hPrev, ArrayView<float> hOut, int hidden)
    {
        int b = index / hidden;
        int j = index % hidden;
        int ri = b * 3 * hidden + j, zi = ri + hidden, ni = zi + hidden;
        float r = Activations.Sigmoid(gx[ri] + gh[ri]);
        float z = Activations.Sigmoid(gx[zi] + gh[zi]);
        float n = Activations.Tanh(gx[ni] + r * gh[ni]);
        gx[ri] = r; gx[zi] = z; gx[ni] = n;
        hOut[index] = (1f - z) * n + z * hPrev[index];
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
        float r = gates[ri], z = gates[zi], n = gates[ni];
        float dhv = dh[index];
        float dnPre = dhv * (1f - z) * (1f - n * n);
        float dzPre = dhv * (hPrev[index] - n) * z * (1f - z);
        float drPre = dnPre * gh[ni] * r * (1f - r);
        dGx[ri] = drPre; dGx[zi] = dzPre; dGx[ni] = dnPre;
        dGh[ri] = drPre; dGh[zi] = dzPre; dGh[ni] = dnPre * r;
        dhPrev[index] += dhv * z;
    }
}
