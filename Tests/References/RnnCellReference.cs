namespace IlgpuLstm.References;

/// <summary>Float64 twin of Kernels.RnnCell: h = tanh(gx + gh).</summary>
public static class RnnCellReference
{
    public static double[] Forward(double[] gx, double[] gh) =>
        gx.Select((v, i) => Math.Tanh(v + gh[i])).ToArray();

    public static double[] Backward(double[] h, double[] dh) =>
        h.Select((v, i) => dh[i] * (1 - v * v)).ToArray();
}
