using System.Diagnostics;
using System.Globalization;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The lesson's training loop. Each epoch zeroes the hidden state and carries it, detached,
/// across its batches; each step is forward, mean cross-entropy, backward, global-norm clip and
/// one optimizer kernel, all queued on the device with no read-back. Every PrintEvery steps it
/// reads the loss, validates over the whole validation split in eval mode from a zero state
/// carried across its batches (mean of batch means), reports, and writes checkpoints.
/// Dropout masks depend only on (seed, step), so a run is repeatable bit for bit.
/// </summary>
public sealed class Trainer(CharRnn model, TrainConfig config, Vocabulary vocabulary, CheckpointPlan? checkpoints,
    ITrainingObserver observer)
{
    private readonly Optimizer optimizer = new(model.Device.Ops, model.Store, config.Optimizer);
    private readonly List<TrainingReport> reports = [];
    private double? bestVal;
    private double? lastLoss;

    public TrainingOutcome Run(int[] train, int[] validation, CancellationToken cancel = default)
    {
        config.Validate();
        var trainBatches = new CharBatches(train, config.BatchSize, config.SeqLength, "training");
        var valBatches = validation.Length > 0 && config.ValFrac > 0
            ? new CharBatches(validation, config.BatchSize, config.SeqLength, "validation")
            : null;
        checkpoints?.EnsureWritable();
        model.Prepare(config.BatchSize, config.SeqLength);
        using var state = model.CreateState(config.BatchSize);
        using var valState = valBatches != null ? model.CreateState(config.BatchSize) : null;
        var x = new int[config.BatchSize * config.SeqLength];
        var y = new int[x.Length];
        var clock = Stopwatch.StartNew();
        var sinceReport = Stopwatch.StartNew();
        long step = 0, tokensSinceReport = 0;
        int epoch = 0;
        var reason = StopReason.Completed;
        bool savedAtLastStep = false;
        for (epoch = 1; epoch <= config.Epochs && reason == StopReason.Completed; epoch++)
        {
            state.Reset();
            for (int i = 0; i < trainBatches.Count; i++)
            {
                step++;
                trainBatches.Fill(i, x, y);
                model.SetBatch(x, y);
                model.Forward(state, training: true, config.Seed, DropoutStream(step));
                model.Loss();
                model.Backward(training: true);
                model.ClipGradients((float)config.GradClip);
                optimizer.Step(model.Scalars, CharRnn.ClipSlot);
                tokensSinceReport += x.Length;
                savedAtLastStep = false;

                reason = StopAfter(step, clock.Elapsed, cancel);
                bool lastOfRun = reason != StopReason.Completed ||
                    (epoch == config.Epochs && i == trainBatches.Count - 1);
                if (step % config.PrintEvery == 0 || lastOfRun)
                {
                    double loss = model.ReadScalar(CharRnn.LossSlot);
                    double norm = model.ReadScalar(CharRnn.NormSlot);
                    if (!double.IsFinite(loss))
                        throw new EngineException($"training loss became {loss.ToString(CultureInfo.InvariantCulture)} at step {step} " +
                            $"(last finite loss {(lastLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "none")}, gradient norm " +
                            $"{norm.ToString("G4", CultureInfo.InvariantCulture)}); the last good checkpoint was kept. Try a lower --lr or --grad-clip");
                    lastLoss = loss;
                    double? val = valBatches != null ? Evaluator.MeanLoss(model, valBatches, valState, config.ValBatches) : null;
                    double seconds = sinceReport.Elapsed.TotalSeconds;
                    var report = new TrainingReport(epoch, config.Epochs, step, loss, val, norm,
                        seconds > 0 ? tokensSinceReport / seconds : 0, clock.Elapsed);
                    reports.Add(report);
                    observer.Report(report);
                    Save(report);
                    savedAtLastStep = true;
                    tokensSinceReport = 0;
                    sinceReport.Restart();
                }
                if (reason != StopReason.Completed) break;
            }
        }
        epoch = Math.Min(epoch, config.Epochs);
        if (!savedAtLastStep && reports.Count > 0) Save(reports[^1]);
        return new TrainingOutcome(reason, step, epoch, lastLoss, bestVal, reports);
    }

    /// <summary>Per-step Philox stream: 256 dropout sites per step, far more than layers.</summary>
    public static ulong DropoutStream(long step) => (ulong)step << 8;

    private StopReason StopAfter(long step, TimeSpan elapsed, CancellationToken cancel)
    {
        if (cancel.IsCancellationRequested) return StopReason.Interrupted;
        if (config.MaxSteps > 0 && step >= config.MaxSteps) return StopReason.MaxSteps;
        if (config.TimeLimit is { } limit && elapsed >= limit) return StopReason.TimeLimit;
        return StopReason.Completed;
    }

    private void Save(TrainingReport report)
    {
        if (checkpoints == null) return;
        var metadata = new Dictionary<string, string>(checkpoints.Metadata, StringComparer.Ordinal)
        {
            ["step"] = report.Step.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = report.Epoch.ToString(CultureInfo.InvariantCulture),
            ["train_loss"] = report.Loss.ToString("R", CultureInfo.InvariantCulture),
        };
        if (report.ValLoss is { } val)
        {
            metadata["val_loss"] = val.ToString("R", CultureInfo.InvariantCulture);
            if (!double.IsFinite(val))
                throw new EngineException($"validation loss became {val} at step {report.Step}; the last good checkpoint was kept");
        }
        ModelCheckpoint.Save(checkpoints.Latest, model, vocabulary, metadata);
        observer.Saved("latest", checkpoints.Latest);
        if (report.ValLoss is { } v && (bestVal == null || v < bestVal))
        {
            bestVal = v;
            ModelCheckpoint.Save(checkpoints.Best, model, vocabulary, metadata);
            observer.Saved("best", checkpoints.Best);
        }
    }
}
