namespace IlgpuLstm.Engine.Forecasting;

/// <summary>
/// Mean absolute and root mean squared error of forecasts from a run of origins, over steps
/// 1..H, in the target's units, for the model and the naive baselines a forecaster compares with:
/// persistence (the last value) and seasonal naive (the value a season earlier).
/// </summary>
internal static class ForecastErrors
{
    /// <summary><paramref name="forecast"/>(origin, h) for h = 1..H against the truth.</summary>
    public static (double Mae, double Rmse) Of(double[] y, (int From, int To) origins, int horizon, Func<int, int, double> forecast)
    {
        double abs = 0, squared = 0;
        long n = 0;
        for (int t = origins.From; t < origins.To; t++)
            for (int h = 1; h <= horizon; h++)
            {
                double e = forecast(t, h) - y[t + h];
                abs += Math.Abs(e);
                squared += e * e;
                n++;
            }
        return n == 0 ? (double.NaN, double.NaN) : (abs / n, Math.Sqrt(squared / n));
    }

    public static (double Mae, double Rmse) Persistence(double[] y, (int From, int To) origins, int horizon) =>
        Of(y, origins, horizon, (t, _) => y[t]);

    /// <summary>ŷ(t+h) = y(t + h - kS), k the fewest whole seasons that reach back to t or before.</summary>
    public static (double Mae, double Rmse) SeasonalNaive(double[] y, (int From, int To) origins, int horizon, int season) =>
        Of(y, origins, horizon, (t, h) =>
        {
            int back = (h + season - 1) / season * season;
            return t + h - back >= 0 ? y[t + h - back] : y[t];
        });
}
