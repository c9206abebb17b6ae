using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// The input projection of one-hot tokens, <c>out = onehot(tokens) * W^T + bias</c>, done as a
/// column gather of W (shape G x V, row-major) instead of a GEMM against a mostly-zero matrix.
/// Backward adds <c>dOut</c> into the gathered columns of <c>dW</c>: one thread owns one row of
/// dW and walks the tokens in order, so the scatter-add needs no atomics and is deterministic.
/// </summary>
public static class OneHotProjection
{
    /// <summary>One thread per element of out (rows x G): out[r, j] = W[j, tokens[r]] + bias[j].</summary>
    public static void Forward(Index1D index, ArrayView<int> tokens, ArrayView<float> weight,
        ArrayView<float> bias, ArrayView<float> output, int gateWidth, int vocab)
    {
        int r = index / gateWidth;
        int j = index % gateWidth;
        output[index] = weight[j * vocab + tokens[r]] + bias[j];
    }

    /// <summary>One thread per row j of dW (G threads): dW[j, tokens[r]] += dOut[r, j] for r in order.</summary>
    public static void Backward(Index1D j, ArrayView<int> tokens, ArrayView<float> dOutput,
        ArrayView<float> dWeight, int rows, int gateWidth, int vocab)
    {
        for (int r = 0; r < rows; r++)
            dWeight[j * vocab + tokens[r]] += dOutput[r * gateWidth + j];
    }
}
