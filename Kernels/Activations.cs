namespace IlgpuLstm.Kernels;

/// <summary>Scalar activations shared by the cell kernels, written as PyTorch computes them.</summary>
internal static class Activations
{
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>
    /// tanh to within a few ulp on every backend. MathF.Tanh is not used: ILGPU lowers it to PTX's
    /// tanh.approx.f32, whose error (about 1e-5 relative at worst, up to 2^-11 by the PTX manual)
    /// exceeds selftest's tolerance. Below |x| = 0.3 an odd polynomial (the Taylor series to x^9, its
    /// next term under 2e-8 relative there); above it (1 - e)/(1 + e) with e = exp(-2|x|) ≤ 0.55,
    /// which has no cancellation and rides on exp's ex2.approx (2 ulp).
    /// </summary>
    public static float Tanh(float x)
    {
        float a = MathF.Abs(x);
        if (a < 0.3f)
        {
            float x2 = x * x;
            return x + x * x2 * (-1f / 3f + x2 * (2f / 15f + x2 * (-17f / 315f + x2 * (62f / 2835f))));
        }
        float e = MathF.Exp(-2f * a);
        float t = (1f - e) / (1f + e);
        return x < 0 ? -t : t;
    }
}
