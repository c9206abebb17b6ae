using IlgpuLstm.Engine;
using ScottPlot;

namespace IlgpuLstm.Cli;

/// <summary>
/// A forecasting run's figures (PNG, ScottPlot) in its run directory: the history with the test
/// split's forecasts against the truth (one step and H steps ahead), and the loss curves by epoch.
/// </summary>
internal static class ForecastPlots
{
    public static IReadOnlyList<string> Draw(string directory, TimeSeriesData data, TimeSeriesForecaster forecaster, ForecastTrainingResult result)
    {
        int h = forecaster.Horizon, rows = data.Length;
        int testStart = rows - (int)Math.Round(forecaster.Options.TestFrac * rows);
        var every = forecaster.ForecastEveryRow(data);
        var x = Enumerable.Range(0, rows).Select(i => (double)i).ToArray();

        var history = new Plot();
        var truth = history.Add.Scatter(x, data.Target.ToArray());
        truth.MarkerSize = 0;
        truth.LegendText = data.TargetName;
        void Ahead(int step, Color color)
        {
            var origins = Enumerable.Range(testStart, Math.Max(0, rows - step - testStart)).ToArray();
            var line = history.Add.Scatter(origins.Select(t => (double)(t + step)).ToArray(), origins.Select(t => every[t][step - 1]).ToArray());
            line.MarkerSize = 0;
            line.Color = color;
            line.LegendText = $"forecast {step} step{(step == 1 ? "" : "s")} ahead";
        }
        Ahead(1, Colors.Orange);
        if (h > 1) Ahead(h, Colors.Red);
        var split = history.Add.VerticalLine(testStart);
        split.LegendText = "test split";
        split.Color = Colors.Gray;
        history.Title($"{data.TargetName}: test MAE {result.Test.Mae:F3} (persistence {result.Test.PersistenceMae:F3}" +
            (result.Test.SeasonalNaiveMae is { } s ? $", seasonal naive {s:F3})" : ")"));
        history.XLabel(data.TimeName is null ? "row" : $"row ({data.Times![0]} to {data.Times[^1]})");
        history.ShowLegend(Edge.Right);

        var loss = new Plot();
        var epochs = result.Reports.Select(r => (double)r.Epoch).ToArray();
        var train = loss.Add.Scatter(epochs, result.Reports.Select(r => Math.Log10(Math.Max(r.TrainLoss, 1e-30))).ToArray());
        train.MarkerSize = 0;
        train.LegendText = "train";
        if (forecaster.Options.ValFrac > 0)
        {
            var val = loss.Add.Scatter(epochs, result.Reports.Select(r => Math.Log10(Math.Max(r.ValidationLoss, 1e-30))).ToArray());
            val.MarkerSize = 0;
            val.LegendText = "validation";
        }
        loss.Title($"loss (MSE of scaled changes, log10) by epoch; best epoch {result.BestEpoch}");
        loss.XLabel("epoch");
        loss.ShowLegend(Edge.Right);
        return [Save(history, Path.Combine(directory, "forecast.png")), Save(loss, Path.Combine(directory, "loss.png"))];
    }

    private static string Save(Plot plot, string path)
    {
        try
        {
            plot.SavePng(path, 1000, 420);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write plot '{path}': {e.Message}");
        }
        return path;
    }
}
