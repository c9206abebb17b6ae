using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Deterministic sums without float atomics (docs/ILGPU-NOTES.md §5): stage one gives each of
/// P threads the strided elements p, p+P, p+2P, ... summed in order into its own slot; stage two
/// adds the P partial sums in order on one thread. Same inputs, same bits, on any accelerator.
/// </summary>
internal static class Reduction
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
    /// Row chunks of a column sum (see <see cref="ColumnPartials"/>): about 128 rows each, at most
    /// 64, from the row count alone, so the order of additions never depends on the device.
    /// </summary>
    public static int ColumnChunks(int rows) => Math.Clamp(rows / 128, 1, 64);

    /// <summary>
    /// Stage one of a column sum of a rows x cols matrix: thread i = c·cols + col adds the rows of
    /// chunk c (of <see cref="ColumnChunks"/>) of its column, in order, into partials[i]. At the
    /// lesson's 12,800 x 2,048 gate gradients that is 131,072 threads of 200 rows, not 2,048 of 12,800;
    /// neighbouring threads read neighbouring columns.
    /// </summary>
    public static void ColumnPartials(Index1D i, ArrayView<float> input, ArrayView<float> partials, int rows, int cols,
        int chunks)
    {
        int c = i / cols, col = i % cols;
        int first = (int)((long)rows * c / chunks), last = (int)((long)rows * (c + 1) / chunks);
        float sum = 0f;
        for (int r = first; r < last; r++)
            sum += input[r * cols + col];
        partials[i] = sum;
    }

    /// <summary>
    /// Stage two: <c>output[col] += Σ_c partials[c·cols + col]</c> in chunk order (bias gradients
    /// accumulate), and the same into <paramref name="second"/> when <paramref name="hasSecond"/> != 0:
    /// LSTM and RNN give b_ih and b_hh one gradient.
    /// </summary>
    public static void ColumnFinal(Index1D col, ArrayView<float> partials, ArrayView<float> output, ArrayView<float> second,
        int cols, int chunks, int hasSecond)
    {
        float sum = 0f;
        for (int c = 0; c < chunks; c++)
            sum += partials[c * cols + col];
        output[col] += sum;
        if (hasSecond != 0) second[col] += sum;
    }
}
