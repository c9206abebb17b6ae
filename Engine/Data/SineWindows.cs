namespace IlgpuLstm.Engine.Data;

/// <summary>
/// The time-series lesson's data: for step k, <c>t = linspace(kπ, (k+1)π, seq+1)</c>,
/// <c>x = sin(t)[:-1]</c>, <c>y = sin(t)[1:]</c>. Successive windows are consecutive half periods.
/// </summary>
internal static class SineWindows
{
    public static (double[] Time, float[] X, float[] Y) Window(int step, int seqLength)
    {
        var t = new double[seqLength + 1];
        double start = step * Math.PI, stop = (step + 1) * Math.PI;
        for (int i = 0; i <= seqLength; i++)
            t[i] = seqLength == 0 ? start : start + (stop - start) * i / seqLength; // numpy's linspace
        var x = new float[seqLength];
        var y = new float[seqLength];
        for (int i = 0; i < seqLength; i++)
        {
            x[i] = (float)Math.Sin(t[i]);
            y[i] = (float)Math.Sin(t[i + 1]);
        }
        return (t, x, y);
    }
}
