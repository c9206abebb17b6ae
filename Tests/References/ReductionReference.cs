namespace IlgpuLstm.References;

/// <summary>Float64 twins of Kernels.Reduction and Kernels.Dropout.</summary>
public static class ReductionReference
{
    public static double Sum(float[] values, bool squared) => values.Sum(v => squared ? (double)v * v : v);

    public static double[] ColumnSum(float[] input, float[] start, int rows, int cols)
    {
        var output = start.Select(v => (double)v).ToArray();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                output[c] += input[r * cols + c];
        return output;
    }
}
