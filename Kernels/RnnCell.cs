using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// The pointwise part of one tanh-RNN time step (PyTorch <c>nn.RNN</c>, nonlinearity tanh):
/// <c>h = tanh(gx + gh)</c> with <c>gx = x W_ih^T + b_ih</c>, <c>gh = h_prev W_hh^T + b_hh</c>.
/// Backward needs only h itself. One thread per (b, j) of B x H.
/// </summary>
public static class RnnCell
{
    public static void Forward(Index1D index, ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> hOut) =>
        hOut[index] = Activations.Tanh(gx[index] + gh[index]);

    /// <summary>dGates = dh * (1 - h^2), the gradient of both pre-activations.</summary>
    public static void Backward(Index1D index, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> dGates)
    {
        float hv = h[index];
        dGates[index] = dh[index] * (1f - hv * hv);
    }
}
