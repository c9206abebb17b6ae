using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// One tanh-RNN time step (PyTorch <c>nn.RNN</c>, nonlinearity tanh):
/// <c>h = tanh(gx + gh)</c> with <c>gx = x W_ih^T + b_ih</c>, <c>gh = h_prev W_hh^T + b_hh</c>.
/// <see cref="Unit"/> and <see cref="UnitGradient"/> are the math of one unit, shared by the cell
/// kernels, the fused step and the host path. Backward needs only h itself. One thread per (b, j) of B x H.
/// </summary>
internal static class RnnCell
{
    public static float Unit(float pre) => Activations.Tanh(pre);

    /// <summary>The gradient of both pre-activations: dh * (1 - h^2).</summary>
    public static float UnitGradient(float h, float dh) => dh * (1f - h * h);

    public static void Forward(Index1D index, ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> hOut) =>
        hOut[index] = Unit(gx[index] + gh[index]);

    public static void Backward(Index1D index, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> dGates) =>
        dGates[index] = UnitGradient(h[index], dh[index]);
}
