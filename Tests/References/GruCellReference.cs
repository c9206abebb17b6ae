namespace IlgpuLstm.References;

/// <summary>Float64 twin of Kernels.GruCell (gate order r, z, n; n = tanh(gx_n + r * gh_n)).</summary>
public static class GruCellReference
{
    /// <summary>Returns the activated gates (r, z, n; B x 3H) and h (B x H).</summary>
    public static (double[] Gates, double[] H) Forward(double[] gx, double[] gh, double[] hPrev, int batch, int hidden)
    {
        var gates = new double[batch * 3 * hidden];
        var h = new double[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int ri = b * 3 * hidden + j, zi = ri + hidden, ni = zi + hidden, x = b * hidden + j;
                double r = CellMath.Sigmoid(gx[ri] + gh[ri]);
                double z = CellMath.Sigmoid(gx[zi] + gh[zi]);
                double n = Math.Tanh(gx[ni] + r * gh[ni]);
                gates[ri] = r; gates[zi] = z; gates[ni] = n;
                h[x] = (1 - z) * n + z * hPrev[x];
            }
        return (gates, h);
    }

    /// <summary>Returns dL/dgx, dL/dgh and the direct part of dL/dh_prev (dh * z).</summary>
    public static (double[] DGx, double[] DGh, double[] DhPrevDirect) Backward(double[] gates, double[] gh,
        double[] hPrev, double[] dh, int batch, int hidden)
    {
        var dGx = new double[batch * 3 * hidden];
        var dGh = new double[batch * 3 * hidden];
        var dhPrev = new double[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int ri = b * 3 * hidden + j, zi = ri + hidden, ni = zi + hidden, x = b * hidden + j;
                double r = gates[ri], z = gates[zi], n = gates[ni];
                double dnPre = dh[x] * (1 - z) * (1 - n * n);
                double dzPre = dh[x] * (hPrev[x] - n) * z * (1 - z);
                double drPre = dnPre * gh[ni] * r * (1 - r);
                dGx[ri] = drPre; dGx[zi] = dzPre; dGx[ni] = dnPre;
                dGh[ri] = drPre; dGh[zi] = dzPre; dGh[ni] = dnPre * r;
                dhPrev[x] = dh[x] * z;
            }
        return (dGx, dGh, dhPrev);
    }
}
