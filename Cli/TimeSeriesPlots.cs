using System.Globalization;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Training;
using ScottPlot;

namespace IlgpuLstm.Cli;

/// <summary>
/// The time-series lesson's figures as PNG files, drawn with ScottPlot: at every print step the
/// input (red dots) and the prediction (blue dots) against t[1:], and at the end the loss curve.
/// </summary>
internal static class TimeSeriesPlots
{
    public static string Step(string directory, TimeSeriesReport r)
    {
        var plot = new Plot();
        var input = plot.Add.ScatterPoints(r.Time, r.Input.Select(v => (double)v).ToArray());
        input.Color = Colors.Red;
        input.MarkerSize = 7;
        input.LegendText = "input x";
        var prediction = plot.Add.ScatterPoints(r.Time, r.Prediction.Select(v => (double)v).ToArray());
        prediction.Color = Colors.Blue;
        prediction.MarkerSize = 7;
        prediction.LegendText = "prediction";
        plot.Title($"step {r.Step}: loss {r.Loss.ToString("G4", CultureInfo.InvariantCulture)}");
        plot.XLabel("t");
        plot.YLabel("sin(t)");
        plot.ShowLegend(Edge.Right); // beside the data, so it hides none of the last predictions
        return Save(plot, Path.Combine(directory, $"step-{r.Step:D3}.png"));
    }

    public static string Loss(string directory, float[] losses)
    {
        var plot = new Plot();
        var line = plot.Add.Scatter(Enumerable.Range(0, losses.Length).Select(i => (double)i).ToArray(),
            losses.Select(l => Math.Log10(Math.Max(l, 1e-30))).ToArray());
        line.MarkerSize = 3;
        plot.Title("training loss (MSE, log10) at every step");
        plot.XLabel("step");
        plot.YLabel("log10 loss");
        return Save(plot, Path.Combine(directory, "loss.png"));
    }

    /// <summary>Creates the directory and proves it writable, before any training.</summary>
    public static void EnsureWritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"--plot-dir '{directory}' is not writable: {e.Message}");
        }
    }

    private static string Save(Plot plot, string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            plot.SavePng(path, 760, 400);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write plot '{path}': {e.Message}");
        }
        return path;
    }
}
