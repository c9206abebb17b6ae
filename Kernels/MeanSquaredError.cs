using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Squared error and its gradient, element-wise: <c>sq = (pred - target)^2</c> and
/// <c>dPred = 2 (pred - target) * gradScale</c>; <c>gradScale = 1/n</c> gives PyTorch's mean MSE.
/// The caller sums <c>sq</c> with <see cref="Reduction"/> for the loss.
/// </summary>
internal static class MeanSquaredError
{
    public static void ForwardBackward(Index1D i, ArrayView<float> prediction, ArrayView<float> target,
        ArrayView<float> squaredError, ArrayView<float> dPrediction, float gradScale)
    {
        float d = prediction[i] - target[i];
        squaredError[i] = d * d;
        dPrediction[i] = 2f * d * gradScale;
    }
}
