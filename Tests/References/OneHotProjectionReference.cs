namespace IlgpuLstm.References;

/// <summary>Float64 twin of Kernels.OneHotProjection, written as the GEMM it replaces.</summary>
public static class OneHotProjectionReference
{
    public static double[] Forward(int[] tokens, float[] weight, float[] bias, int gateWidth, int vocab)
    {
        var output = new double[tokens.Length * gateWidth];
        for (int r = 0; r < tokens.Length; r++)
            for (int j = 0; j < gateWidth; j++)
            {
                double sum = bias[j];
                for (int v = 0; v < vocab; v++)
                    sum += (v == tokens[r] ? 1.0 : 0.0) * weight[j * vocab + v];
                output[r * gateWidth + j] = sum;
            }
        return output;
    }

    /// <summary>dWeight (+= onto the given start) = dOutput^T * onehot(tokens).</summary>
    public static double[] Backward(int[] tokens, float[] dOutput, float[] dWeightStart, int gateWidth, int vocab)
    {
        var dWeight = dWeightStart.Select(v => (double)v).ToArray();
        for (int j = 0; j < gateWidth; j++)
            for (int v = 0; v < vocab; v++)
                for (int r = 0; r < tokens.Length; r++)
                    if (tokens[r] == v)
                        dWeight[j * vocab + v] += dOutput[r * gateWidth + j];
        return dWeight;
    }
}
