using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// The pointwise part of one LSTM time step, PyTorch semantics and gate order i, f, g, o:
/// <c>i = σ(.), f = σ(.), g = tanh(.), o = σ(.), c = f*c_prev + i*g, h = o*tanh(c)</c>.
/// Pre-activations arrive as two B x 4H blocks, <c>gx = x W_ih^T + b_ih</c> and
/// <c>gh = h_prev W_hh^T + b_hh</c>. Forward overwrites <c>gx</c> with the activated gates,
/// which is all backward needs besides c_prev and c. One thread per (b, j) of B x H.
/// </summary>
public static class LstmCell
{
    public static void Forward(Index1D index, ArrayView<float> gx, ArrayView<float> gh,
        ArrayView<float> cPrev, ArrayView<float> cOut, ArrayView<float> hOut, int hidden)
    {
        int b = index / hidden;
        int j = index % hidden;
        int row = b * 4 * hidden;
        int ii = row + j, fi = ii + hidden, gi = fi + hidden, oi = gi + hidden;
        float i = Activations.Sigmoid(gx[ii] + gh[ii]);
        float f = Activations.Sigmoid(gx[fi] + gh[fi]);
        float g = Activations.Tanh(gx[gi] + gh[gi]);
        float o = Activations.Sigmoid(gx[oi] + gh[oi]);
        float c = f * cPrev[index] + i * g;
        gx[ii] = i; gx[fi] = f; gx[gi] = g; gx[oi] = o;
        cOut[index] = c;
        hOut[index] = o * Activations.Tanh(c);
    }

    /// <summary>
    /// <paramref name="dh"/> is the whole gradient reaching h_t (from above and from step t+1).
    /// <paramref name="dc"/> holds dL/dc_t from step t+1 on entry and dL/dc_{t-1} on exit.
    /// Writes the pre-activation gradients (B x 4H) to <paramref name="dGates"/>.
    /// </summary>
    public static void Backward(Index1D index, ArrayView<float> gates, ArrayView<float> cPrev,
        ArrayView<float> c, ArrayView<float> dh, ArrayView<float> dc, ArrayView<float> dGates, int hidden)
    {
        int b = index / hidden;
        int j = index % hidden;
        int row = b * 4 * hidden;
        int ii = row + j, fi = ii + hidden, gi = fi + hidden, oi = gi + hidden;
        float i = gates[ii], f = gates[fi], g = gates[gi], o = gates[oi];
        float tc = Activations.Tanh(c[index]);
        float dhv = dh[index];
        float dcv = dc[index] + dhv * o * (1f - tc * tc);
        dGates[ii] = dcv * g * i * (1f - i);
        dGates[fi] = dcv * cPrev[index] * f * (1f - f);
        dGates[gi] = dcv * i * (1f - g * g);
        dGates[oi] = dhv * tc * o * (1f - o);
        dc[index] = dcv * f;
    }
}
