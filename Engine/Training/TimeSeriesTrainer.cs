using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The sine-wave lesson as a preset of <see cref="SeriesTrainer"/>: one stream of consecutive
/// half-period windows (step k reads window k), the next value as the target, no scaling, no
/// clip. At steps 0, printEvery, 2·printEvery, ... it reads the loss and the predictions and reports them.
/// </summary>
internal static class TimeSeriesTrainer
{
    public static TimeSeriesOutcome Run(ComputeDevice device, TimeSeriesRnn model, int steps,
        int printEvery, OptimizerSettings optimizerSettings, Action<TimeSeriesReport> report, CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        if (steps < 1) throw new OptionOutOfRangeException("Steps", $"Steps must be at least 1, got {steps}");
        if (printEvery < 1) throw new OptionOutOfRangeException("PrintEvery", $"PrintEvery must be at least 1, got {printEvery}");
        int window = model.Steps;
        var inputs = new float[steps * window];
        var targets = new float[steps * window];
        for (int k = 0; k < steps; k++)
        {
            var (_, x, y) = SineWindows.Window(k, window);
            x.CopyTo(inputs, k * window);
            y.CopyTo(targets, k * window);
        }
        var batches = new SeriesBatches(inputs, targets, steps * window, 1, window, 1, 1);
        var reports = new List<TimeSeriesReport>();
        var losses = SeriesTrainer.Run(device, model, batches, steps, optimizerSettings, gradClip: 0, (k, _) =>
        {
            if (cancel.IsCancellationRequested) return true;
            if (k % printEvery != 0) return false;
            double loss = SeriesTrainer.Loss(device, model);
            if (!double.IsFinite(loss)) throw new EngineException($"loss became {loss} at step {k}; try a lower LearningRate");
            var (t, x, _) = SineWindows.Window(k, window);
            var prediction = new float[window];
            device.Ops.Download(model.Prediction.SubView(0, window), prediction);
            var r = new TimeSeriesReport(k, loss, t[1..], x, prediction);
            reports.Add(r);
            report(r);
            return cancel.IsCancellationRequested;
        });
        return new TimeSeriesOutcome(reports, losses);
    }
}
