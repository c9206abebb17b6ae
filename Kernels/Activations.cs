namespace IlgpuLstm.Kernels;

/// <summary>Scalar activations shared by the cell kernels, written as PyTorch computes them.</summary>
internal static class Activations
{
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    public static float Tanh(float x) => MathF.Tanh(x);
}
