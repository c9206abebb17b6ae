using System.Text.Json;

namespace IlgpuLstm.Engine.Forecasting;

/// <summary>
/// What the model reads and predicts, fitted on the training rows alone and stored with the model.
/// Each row's inputs: the target's level (unless left out), its change since the row before, the
/// input columns, and, with a season, the phase within it (sine and cosine of 2π·row/season); each
/// standardized by its training mean and deviation. The outputs: the change from the origin's value
/// to each of the next H values, divided by that change's root mean square in training, so the
/// model forecasts departures from persistence and a series may rise past its training range.
/// </summary>
internal sealed record SeriesScaling(bool Level, int Season, double[] Means, double[] Scales, double[] TargetScales)
{
    public int Features => Means.Length;
    public int Horizon => TargetScales.Length;

    public static SeriesScaling Fit(TimeSeriesData data, int trainEnd, int horizon, bool level, int season)
    {
        var y = data.Values;
        var columns = new List<double[]>();
        if (level) columns.Add(y[..trainEnd]);
        columns.Add(Enumerable.Range(1, trainEnd - 1).Select(t => y[t] - y[t - 1]).ToArray());
        columns.AddRange(data.Inputs.Select(c => c[..trainEnd]));
        var means = new List<double>();
        var scales = new List<double>();
        foreach (var c in columns)
        {
            double mean = c.Average();
            double sd = Math.Sqrt(c.Sum(v => (v - mean) * (v - mean)) / c.Length);
            means.Add(mean);
            scales.Add(sd > 0 ? sd : 1);
        }
        if (season > 1)
        {
            means.AddRange([0, 0]);
            scales.AddRange([1, 1]);
        }
        var targetScales = new double[horizon];
        for (int h = 1; h <= horizon; h++)
        {
            double sum = 0;
            int n = 0;
            for (int t = 0; t + h < trainEnd; t++, n++) sum += (y[t + h] - y[t]) * (y[t + h] - y[t]);
            targetScales[h - 1] = n > 0 && sum > 0 ? Math.Sqrt(sum / n) : 1;
        }
        return new SeriesScaling(level, season > 1 ? season : 0, [.. means], [.. scales], targetScales);
    }

    public static string[] FeatureNames(TimeSeriesData data, bool level, int season) =>
        [.. (level ? new[] { data.TargetName } : []), $"change of {data.TargetName}", .. data.InputNames,
            .. (season > 1 ? new[] { "season sine", "season cosine" } : [])];

    /// <summary>Rows x features, row-major, as the model reads them.</summary>
    public float[] Inputs(TimeSeriesData data)
    {
        var y = data.Values;
        int rows = y.Length, f = Features;
        var x = new float[(long)rows * f];
        for (int t = 0; t < rows; t++)
        {
            int k = 0;
            void Put(double v)
            {
                x[(long)t * f + k] = (float)((v - Means[k]) / Scales[k]);
                k++;
            }
            if (Level) Put(y[t]);
            Put(t > 0 ? y[t] - y[t - 1] : Means[k]);
            foreach (var c in data.Inputs) Put(c[t]);
            if (Season > 1)
            {
                Put(Math.Sin(2 * Math.PI * t / Season));
                Put(Math.Cos(2 * Math.PI * t / Season));
            }
        }
        return x;
    }

    /// <summary>Rows x H scaled changes from each row's value to the next H (zero past the end).</summary>
    public float[] Targets(TimeSeriesData data)
    {
        var y = data.Values;
        int rows = y.Length, hz = Horizon;
        var targets = new float[(long)rows * hz];
        for (int t = 0; t < rows; t++)
            for (int h = 1; h <= hz && t + h < rows; h++)
                targets[(long)t * hz + h - 1] = (float)((y[t + h] - y[t]) / TargetScales[h - 1]);
        return targets;
    }

    /// <summary>The forecast of the value h steps after an origin whose value is <paramref name="origin"/>.</summary>
    public double Forecast(double origin, float output, int h) => origin + output * TargetScales[h - 1];

    public string Serialize() => JsonSerializer.Serialize(this);

    public static SeriesScaling Deserialize(string json) =>
        JsonSerializer.Deserialize<SeriesScaling>(json) ?? throw new EngineException("the checkpoint's scaling is empty");
}
