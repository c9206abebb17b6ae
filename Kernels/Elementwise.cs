using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>Small element-wise helpers the layers need between the fused kernels.</summary>
internal static class Elementwise
{
    public static void Fill(Index1D i, ArrayView<float> target, float value) => target[i] = value;

    /// <summary>
    /// Reorders rows between the batch-major layout users see (row b*T + t) and the time-major
    /// layout the recurrence walks (row t*B + b). One thread per element of the source.
    /// </summary>
    public static void Transpose(Index1D i, ArrayView<float> source, ArrayView<float> target, int batch, int steps,
        int width, int toTimeMajor)
    {
        int row = i / width;
        int col = i % width;
        int targetRow = toTimeMajor != 0
            ? (row % steps) * batch + row / steps
            : (row % batch) * steps + row / batch;
        target[targetRow * width + col] = source[i];
    }
}
