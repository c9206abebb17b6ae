using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Fused softmax, cross-entropy and its gradient over rows of logits (R x V), one thread a row.
/// The log-sum-exp subtracts the row maximum first, so large logits never overflow.
/// Writes the row's loss <c>lse - x[target]</c> and <c>dLogits = (softmax - onehot) * gradScale</c>;
/// <c>gradScale = 1/R</c> gives the gradient of the mean loss, as PyTorch's default reduction.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    public static void ForwardBackward(Index1D r, ArrayView<float> logits, ArrayView<int> targets,
        ArrayView<float> rowLoss, ArrayView<float> dLogits, int vocab, float gradScale)
    {
        int offset = r * vocab;
        float max = logits[offset];
        for (int v = 1; v < vocab; v++)
            max = MathF.Max(max, logits[offset + v]);
        float sum = 0f;
        for (int v = 0; v < vocab; v++)
            sum += MathF.Exp(logits[offset + v] - max);
        float lse = max + MathF.Log(sum);
        int target = targets[r];
        rowLoss[r] = lse - logits[offset + target];
        for (int v = 0; v < vocab; v++)
        {
            float p = MathF.Exp(logits[offset + v] - lse);
            dLogits[offset + v] = (v == target ? p - 1f : p) * gradScale;
        }
    }
}
