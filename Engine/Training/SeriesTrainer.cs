using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The lesson's loop for series, shared by the sine-wave lesson and forecasting: a chunk of every
/// stream a step, the hidden state carried (detached) across steps and zeroed at each epoch, MSE,
/// the optimizer after the clip. Every step's loss goes into a device-side history read once at
/// the end (this session's steps are returned); <c>after</c> sees each step (reports, validation) and may stop the run.
/// </summary>
internal static class SeriesTrainer
{
    public static float[] Run(ComputeDevice device, TimeSeriesRnn model, SeriesBatches batches, int steps, OptimizerSettings settings,
        double gradClip, Func<int, ILGPU.ArrayView<float>, bool> after, int firstStep = 0, ulong seed = 0)
    {
        // Held while training and handed over between steps (DeviceTurns); after() runs holding it.
        lock (device.Gate)
        {
            device.ThrowIfDisposed();
            return RunHoldingGate(device, model, batches, steps, settings, gradClip, after, firstStep, seed);
        }
    }

    private static float[] RunHoldingGate(ComputeDevice device, TimeSeriesRnn model, SeriesBatches batches, int steps, OptimizerSettings settings,
        double gradClip, Func<int, ILGPU.ArrayView<float>, bool> after, int firstStep, ulong seed)
    {
        if (steps < 1) throw new OptionOutOfRangeException("Steps", $"Steps must be at least 1, got {steps}");
        // A resumed run starts at an epoch boundary with its moments uploaded: Adam counts on from there.
        var optimizer = new Optimizer(device.Ops, model.Store, settings) { StepCount = firstStep };
        using var state = model.CreateState(device);
        using var history = device.Allocate<float>(steps, "loss history");
        var x = new float[batches.Streams * batches.Window * batches.InputSize];
        var y = new float[batches.Streams * batches.Window * batches.OutputSize];
        int done = steps;
        for (int k = firstStep; k < steps; k++)
        {
            DeviceTurns.LetOthersIn(device);
            int chunk = k % batches.ChunksPerEpoch;
            if (chunk == 0 && k > 0) state.Reset();
            batches.Fill(chunk, x, y);
            model.SetBatch(x, y);
            // Each step's dropout masks come from their own Philox streams, so a resumed run draws the same ones.
            model.ForwardBackward(state, (float)gradClip, seed, (ulong)k * 64);
            optimizer.Step(model.Scalars, TimeSeriesRnn.ClipSlot);
            device.Ops.Copy(model.Scalars.SubView(TimeSeriesRnn.LossSlot, 1), history.View.SubView(k, 1));
            if (after(k, history.View))
            {
                done = k + 1;
                break;
            }
        }
        var losses = new float[steps];
        device.Ops.Download(history.View, losses);
        return losses[firstStep..done];
    }

    /// <summary>The loss of the step just taken (a read-back: for report steps only).</summary>
    public static double Loss(ComputeDevice device, TimeSeriesRnn model) => device.Ops.ReadScalar(model.Scalars, TimeSeriesRnn.LossSlot);
}
