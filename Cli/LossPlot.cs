using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Training;
using ScottPlot;

namespace IlgpuLstm.Cli;

/// <summary>Training (line) and validation (line with dots) loss of one or more runs against the step, as a PNG.</summary>
internal static class LossPlot
{
    public static void Save(IReadOnlyList<(string Name, List<RunMetrics.Point> Points)> runs, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int r = 0; r < runs.Count; r++)
        {
            var (name, points) = runs[r];
            var color = palette.GetColor(r);
            string prefix = runs.Count > 1 ? name + ": " : "";
            var train = plot.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(p => p.TrainLoss).ToArray());
            train.Color = color.WithAlpha(0.55);
            train.MarkerSize = 0;
            train.LegendText = prefix + "train";
            var val = points.Where(p => p.ValLoss.HasValue).ToList();
            if (val.Count > 0)
            {
                var v = plot.Add.Scatter(val.Select(p => (double)p.Step).ToArray(), val.Select(p => p.ValLoss!.Value).ToArray());
                v.Color = color;
                v.MarkerSize = 5;
                v.LineWidth = 2;
                v.LegendText = prefix + "validation";
            }
        }
        plot.Title(runs.Count == 1 ? $"{runs[0].Name}: loss" : "loss");
        plot.XLabel("step");
        plot.YLabel("cross-entropy (nats per character)");
        plot.ShowLegend(Edge.Right); // beside the data, never over it
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir != null) Directory.CreateDirectory(dir);
            plot.SavePng(path, 900, 480);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write plot '{path}': {e.Message}");
        }
    }
}
