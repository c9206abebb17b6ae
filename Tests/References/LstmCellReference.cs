namespace IlgpuLstm.References;

/// <summary>Float64 twin of Kernels.LstmCell (gate order i, f, g, o; B x 4H pre-activations gx + gh).</summary>
public static class LstmCellReference
{
    /// <summary>Returns the activated gates (B x 4H), c and h (B x H).</summary>
    public static (double[] Gates, double[] C, double[] H) Forward(double[] gx, double[] gh, double[] cPrev,
        int batch, int hidden)
    {
        var gates = new double[batch * 4 * hidden];
        var c = new double[batch * hidden];
        var h = new double[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int row = b * 4 * hidden, x = b * hidden + j;
                double Pre(int gate) => gx[row + gate * hidden + j] + gh[row + gate * hidden + j];
                double i = CellMath.Sigmoid(Pre(0)), f = CellMath.Sigmoid(Pre(1));
                double g = Math.Tanh(Pre(2)), o = CellMath.Sigmoid(Pre(3));
                gates[row + j] = i; gates[row + hidden + j] = f; gates[row + 2 * hidden + j] = g; gates[row + 3 * hidden + j] = o;
                c[x] = f * cPrev[x] + i * g;
                h[x] = o * Math.Tanh(c[x]);
            }
        return (gates, c, h);
    }

    /// <summary>Given dL/dh and dL/dc of this step, returns the pre-activation gradients and dL/dc_prev.</summary>
    public static (double[] DGates, double[] DcPrev) Backward(double[] gates, double[] cPrev, double[] c,
        double[] dh, double[] dc, int batch, int hidden)
    {
        var dGates = new double[batch * 4 * hidden];
        var dcPrev = new double[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int row = b * 4 * hidden, x = b * hidden + j;
                double i = gates[row + j], f = gates[row + hidden + j], g = gates[row + 2 * hidden + j], o = gates[row + 3 * hidden + j];
                double tc = Math.Tanh(c[x]);
                double dcv = dc[x] + dh[x] * o * (1 - tc * tc);
                dGates[row + j] = dcv * g * i * (1 - i);
                dGates[row + hidden + j] = dcv * cPrev[x] * f * (1 - f);
                dGates[row + 2 * hidden + j] = dcv * i * (1 - g * g);
                dGates[row + 3 * hidden + j] = dh[x] * tc * o * (1 - o);
                dcPrev[x] = dcv * f;
            }
        return (dGates, dcPrev);
    }
}
