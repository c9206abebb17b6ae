namespace IlgpuLstm.References;

/// <summary>Float64 activations for the references.</summary>
public static class CellMath
{
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));
}
