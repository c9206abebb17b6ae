using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The time-series lesson's loop: for k = 0..steps-1 one sine window, the hidden state zeroed once
/// and carried (detached) across all steps, MSE, Adam. At steps 0, printEvery, 2·printEvery, ... it
/// reads the loss and the predictions (the only read-backs) and reports them.
/// </summary>
internal static class TimeSeriesTrainer
{
    public static TimeSeriesOutcome Run(ComputeDevice device, TimeSeriesRnn model, int steps,
        int printEvery, OptimizerSettings optimizerSettings, Action<TimeSeriesReport> report)
    {
        if (steps < 1) throw new UsageException($"Steps must be at least 1, got {steps}");
        if (printEvery < 1) throw new UsageException($"PrintEvery must be at least 1, got {printEvery}");
        var optimizer = new Optimizer(device.Ops, model.Store, optimizerSettings);
        using var state = model.CreateState(device);
        // Every step's loss is copied into a device-side history and read once at the end, so the
        // loss curve costs no per-step read-back.
        using var history = device.Allocate<float>(steps, "loss history");
        var reports = new List<TimeSeriesReport>();
        for (int k = 0; k < steps; k++)
        {
            var (t, x, y) = SineWindows.Window(k, model.Steps);
            model.SetBatch(x, y);
            model.ForwardBackward(state);
            optimizer.Step(model.Scalars, TimeSeriesRnn.ClipSlot);
            device.Ops.Copy(model.Scalars.SubView(TimeSeriesRnn.LossSlot, 1), history.View.SubView(k, 1));
            if (k % printEvery == 0)
            {
                double loss = device.Ops.ReadScalar(model.Scalars, TimeSeriesRnn.LossSlot);
                if (!double.IsFinite(loss)) throw new EngineException($"loss became {loss} at step {k}; try a lower LearningRate");
                var prediction = new float[model.Steps];
                device.Ops.Download(model.Prediction.SubView(0, model.Steps), prediction);
                var r = new TimeSeriesReport(k, loss, t[1..], x, prediction);
                reports.Add(r);
                report(r);
            }
        }
        var losses = new float[steps];
        device.Ops.Download(history.View, losses);
        return new TimeSeriesOutcome(reports, losses);
    }
}
