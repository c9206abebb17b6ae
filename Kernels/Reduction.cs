using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Deterministic sums without float atomics (shared/ILGPU-NOTES.md §5): stage one gives each of
/// P threads the strided elements p, p+P, p+2P, ... summed in order into its own slot; stage two
/// adds the P partial sums in order on one thread. Same inputs, same bits, on any accelerator.
/// </summary>
public static class Reduction
{
    /// <summary>One thread per partial slot. <paramref name="squared"/> != 0 sums squares (for norms).</summary>
    public static void Partials(Index1D p, ArrayView<float> values, ArrayView<float> partials, int count, int squared)
    {
        int stride = partials.IntLength;
        float sum = 0f;
        for (int i = p; i < count; i += stride)
        {
            float v = values[i];
            sum += squared != 0 ? v * v : v;
        }
        partials[p] = sum;
    }

    /// <summary>One thread: <c>result[slot] = scale * Σ partials</c>, in slot order.</summary>
    public static void Final(Index1D index, ArrayView<float> partials, ArrayView<float> result, int slot, float scale)
    {
        float sum = 0f;
        for (int i = 0; i < partials.IntLength; i++)
            sum += partials[i];
        result[slot] = sum * scale;
    }

    /// <summary>
    /// Sums columns of a rows x cols matrix into <paramref name="output"/> with <c>+=</c>
    /// (bias gradients accumulate), one thread per column, rows in order.
    /// </summary>
    public static void ColumnSum(Index1D col, ArrayView<float> input, ArrayView<float> output, int rows, int cols)
    {
        float sum = 0f;
        for (int r = 0; r < rows; r++)
            sum += input[r * cols + col];
        output[col] += sum;
    }
}
