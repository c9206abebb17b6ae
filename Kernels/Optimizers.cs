using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Optimizer updates over one flat parameter buffer, one thread per parameter, each following
/// PyTorch's single-tensor implementation line by line. Gradients are multiplied by the clip
/// factor in <c>scalars[coefSlot]</c> first (1 when not clipping).
/// </summary>
internal static class Optimizers
{
    /// <summary>torch.optim.Adam: m = lerp(m, g, 1-β1); v = β2 v + (1-β2) g²; p -= step * m / (sqrt(v)/sqrt(bc2) + eps).</summary>
    public static void Adam(Index1D i, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m,
        ArrayView<float> v, ArrayView<float> scalars, int coefSlot, OptimizerArgs a)
    {
        float g = grad[i] * scalars[coefSlot];
        if (a.WeightDecay != 0f) g += a.WeightDecay * param[i];
        float mi = m[i] + (1f - a.Beta1) * (g - m[i]);
        float vi = a.Beta2 * v[i] + (1f - a.Beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        float denom = MathF.Sqrt(vi) / a.BiasCorrection2Sqrt + a.Eps;
        param[i] = param[i] + (-a.StepSize * mi) / denom;
    }

    /// <summary>torch.optim.SGD with momentum (dampening 0): buf = μ buf + g; p -= lr * (nesterov ? g + μ buf : buf).</summary>
    public static void Sgd(Index1D i, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> buffer,
        ArrayView<float> scalars, int coefSlot, OptimizerArgs a)
    {
        float g = grad[i] * scalars[coefSlot];
        if (a.WeightDecay != 0f) g += a.WeightDecay * param[i];
        float step = g;
        if (a.Momentum != 0f)
        {
            float b = a.Momentum * buffer[i] + g;
            buffer[i] = b;
            step = a.Nesterov != 0 ? g + a.Momentum * b : b;
        }
        param[i] = param[i] - a.Lr * step;
    }

    /// <summary>torch.optim.RMSprop: s = α s + (1-α) g²; p -= lr * g / (sqrt(s) + eps).</summary>
    public static void RmsProp(Index1D i, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> square,
        ArrayView<float> scalars, int coefSlot, OptimizerArgs a)
    {
        float g = grad[i] * scalars[coefSlot];
        if (a.WeightDecay != 0f) g += a.WeightDecay * param[i];
        float s = a.Beta2 * square[i] + (1f - a.Beta2) * g * g;
        square[i] = s;
        param[i] = param[i] - a.Lr * g / (MathF.Sqrt(s) + a.Eps);
    }
}
