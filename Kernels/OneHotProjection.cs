using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// The input projection of one-hot tokens, <c>out = onehot(tokens) * W^T + bias</c>, done as a
/// column gather of W (shape G x V, row-major) instead of a GEMM against a mostly-zero matrix.
/// Backward adds <c>dOut</c> into the gathered columns of <c>dW</c>: one thread owns one element
/// of dW and walks that token's rows in order, so the scatter-add needs no atomics and is deterministic.
/// </summary>
internal static class OneHotProjection
{
    /// <summary>One thread per element of out (rows x G): out[r, j] = W[j, tokens[r]] + bias[j].</summary>
    public static void Forward(Index1D index, ArrayView<int> tokens, ArrayView<float> weight,
        ArrayView<float> bias, ArrayView<float> output, int gateWidth, int vocab)
    {
        int r = index / gateWidth;
        int j = index % gateWidth;
        output[index] = weight[j * vocab + tokens[r]] + bias[j];
    }

    /// <summary>
    /// One thread per element of dW, i = v·G + j (G·V threads, neighbours in j read neighbouring
    /// columns of dOut): <c>dW[j, v] += Σ dOut[r, j]</c> over the rows r holding token v, taken
    /// from <paramref name="index"/> (Engine's TokenIndex: [rows sorted by token | starts]) in
    /// increasing r, so the sum is the same on every run and device without atomics.
    /// </summary>
    public static void Backward(Index1D i, ArrayView<int> index, ArrayView<float> dOutput, ArrayView<float> dWeight,
        int rows, int gateWidth, int vocab)
    {
        int v = i / gateWidth, j = i % gateWidth;
        int first = index[rows + v], last = index[rows + v + 1];
        float sum = 0f;
        for (int p = first; p < last; p++)
            sum += dOutput[index[p] * gateWidth + j];
        dWeight[j * vocab + v] += sum;
    }
}
