using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Gradient clipping. The global L2 norm comes from <see cref="Reduction"/> (sum of squares);
/// <see cref="ClipCoefficient"/> turns it into PyTorch's <c>clip_grad_norm_</c> factor
/// <c>min(1, maxNorm / (norm + 1e-6))</c>, left on the device for the optimizer kernels to apply,
/// so clipping costs no extra pass and no read-back. <see cref="Clamp"/> is char-rnn's
/// element-wise clip.
/// </summary>
internal static class GradNorm
{
    /// <summary>Epsilon PyTorch adds to the norm before dividing.</summary>
    public const float Epsilon = 1e-6f;

    /// <summary>One thread. scalars[sumSqSlot] holds Σg²; writes the norm and the factor.</summary>
    public static void ClipCoefficient(Index1D index, ArrayView<float> scalars, int sumSqSlot, int normSlot,
        int coefSlot, float maxNorm)
    {
        float norm = MathF.Sqrt(scalars[sumSqSlot]);
        scalars[normSlot] = norm;
        float coef = maxNorm > 0f ? maxNorm / (norm + Epsilon) : 1f;
        scalars[coefSlot] = coef < 1f ? coef : 1f;
    }

    public static void Clamp(Index1D i, ArrayView<float> gradients, float limit) =>
        gradients[i] = MathF.Min(MathF.Max(gradients[i], -limit), limit);
}
