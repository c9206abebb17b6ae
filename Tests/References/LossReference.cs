namespace IlgpuLstm.References;

/// <summary>Float64 twins of Kernels.SoftmaxCrossEntropy and Kernels.MeanSquaredError.</summary>
public static class LossReference
{
    public static (double[] RowLoss, double[] DLogits) SoftmaxCrossEntropy(double[] logits, int[] targets, int vocab,
        double gradScale)
    {
        int rows = targets.Length;
        var rowLoss = new double[rows];
        var dLogits = new double[rows * vocab];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int v = 0; v < vocab; v++) max = Math.Max(max, logits[r * vocab + v]);
            double sum = 0;
            for (int v = 0; v < vocab; v++) sum += Math.Exp(logits[r * vocab + v] - max);
            double lse = max + Math.Log(sum);
            rowLoss[r] = lse - logits[r * vocab + targets[r]];
            for (int v = 0; v < vocab; v++)
                dLogits[r * vocab + v] = (Math.Exp(logits[r * vocab + v] - lse) - (v == targets[r] ? 1 : 0)) * gradScale;
        }
        return (rowLoss, dLogits);
    }

    public static (double[] Squared, double[] DPrediction) MeanSquaredError(double[] prediction, double[] target,
        double gradScale)
    {
        var sq = prediction.Select((p, i) => (p - target[i]) * (p - target[i])).ToArray();
        var d = prediction.Select((p, i) => 2 * (p - target[i]) * gradScale).ToArray();
        return (sq, d);
    }
}
