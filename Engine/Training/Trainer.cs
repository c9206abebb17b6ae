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
/// one optimizer kernel, all queued on the device with no read-back. Every PrintEvery steps (and
/// at the end) it reads the loss, validates in eval mode from a zero state carried across the
/// validation batches (mean of batch means), reports, and writes checkpoints. Dropout masks
/// depend only on (seed, step), so a run, and a run stopped and resumed, repeat bit for bit.
/// </summary>
internal sealed class Trainer(CharRnn model, TrainingOptions config, Vocabulary vocabulary, CheckpointPlan? checkpoints,
    ITrainingObserver observer)
{
    private readonly Optimizer optimizer = new(model.Device.Ops, model.Store, config.Optimizer);
    private readonly List<TrainingReport> reports = [];
    private double? bestVal;
    private double? lastLoss;
    private double? firstLoss;
    private int sinceBest;
    private bool saved;

    /// <summary>char-rnn's guard: a loss above this multiple of the run's first one aborts it.</summary>
    public const double ExplodingFactor = 3;

    /// <summary>Runs from the start, or from <paramref name="resume"/> (whose weights and moments the caller uploaded).</summary>
    public TrainingOutcome Run(TokenSequence train, TokenSequence validation, CancellationToken cancel = default, ResumePoint? resume = null)
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
        var position = resume?.Position ?? new TrainingPosition(1, 0, 0, 0, null, null);
        if (resume != null) state.Upload(resume.HiddenH, resume.HiddenC);
        optimizer.StepCount = position.OptimizerStep;
        bestVal = position.BestValLoss;
        lastLoss = position.LastLoss;
        firstLoss = position.FirstLoss;
        sinceBest = position.ValidationsSinceBest;

        var x = new int[config.BatchSize * config.SeqLength];
        var y = new int[x.Length];
        var before = TimeSpan.FromSeconds(position.ElapsedSeconds);
        long totalSteps = (long)trainBatches.Count * config.Epochs;
        if (config.MaxSteps > 0) totalSteps = Math.Min(totalSteps, config.MaxSteps);
        long sessionStart = position.Step;
        var firstStepDone = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var sinceReport = Stopwatch.StartNew();
        long step = position.Step, tokensSinceReport = 0;
        // A resumed run that already reached --max-steps has nothing to do.
        var reason = config.MaxSteps > 0 && step >= config.MaxSteps ? StopReason.MaxSteps : StopReason.Completed;
        int epoch = position.Epoch, lastEpoch = Math.Min(position.Epoch, config.Epochs);
        for (; epoch <= config.Epochs && reason == StopReason.Completed; epoch++)
        {
            lastEpoch = epoch;
            optimizer.LearningRateScale = config.LearningRateScale(epoch);
            int first = epoch == position.Epoch ? position.BatchIndex : 0;
            if (first == 0) state.Reset();
            for (int i = first; i < trainBatches.Count; i++)
            {
                step++;
                trainBatches.Fill(i, x, y);
                model.SetBatch(x, y);
                model.Forward(state, training: true, config.Seed, DropoutStream(step));
                model.Loss();
                model.Backward(training: true);
                model.ClipGradients((float)config.GradClip, (float)config.GradClamp);
                optimizer.Step(model.Scalars, CharRnn.ClipSlot);
                tokensSinceReport += x.Length;
                if (step == sessionStart + 1 || step == sessionStart + 3)
                {
                    // Two waits for the device a session, to tell the pace before the first report:
                    // steps 2 and 3 (the first carries one-time costs, JIT and allocation).
                    model.Device.Synchronize();
                    if (step == sessionStart + 1) firstStepDone = clock.Elapsed;
                    else observer.FirstStep((clock.Elapsed - firstStepDone) / 2, totalSteps - step);
                }

                reason = StopAfter(step, clock.Elapsed, cancel);
                bool endOfEpoch = i == trainBatches.Count - 1;
                bool lastOfRun = reason != StopReason.Completed || (epoch == config.Epochs && endOfEpoch);
                bool keepEpoch = endOfEpoch && checkpoints is { Keep: > 0 } && reason != StopReason.Interrupted;
                bool print = step % config.PrintEvery == 0, validateNow = step % config.ValidationInterval == 0;
                bool save = step % config.SaveInterval == 0 || lastOfRun || keepEpoch;
                if (print || validateNow || save)
                {
                    var next = i + 1 < trainBatches.Count
                        ? new TrainingPosition(epoch, i + 1, step, optimizer.StepCount, bestVal, null)
                        : new TrainingPosition(epoch + 1, 0, step, optimizer.StepCount, bestVal, null);
                    // An interrupt saves at once: validation can take minutes on a slow accelerator.
                    bool validate = valBatches != null && reason != StopReason.Interrupted &&
                        (validateNow || lastOfRun || keepEpoch);
                    var elapsed = before + clock.Elapsed;
                    var remaining = step > sessionStart
                        ? TimeSpan.FromTicks(clock.Elapsed.Ticks / (step - sessionStart) * Math.Max(0, totalSteps - step))
                        : (TimeSpan?)null;
                    Checkpoint(epoch, step, next with { ElapsedSeconds = elapsed.TotalSeconds }, validate ? valBatches : null,
                        valState, state, sinceReport.Elapsed, tokensSinceReport, elapsed, totalSteps, remaining,
                        keepEpoch ? epoch : null, report: print || lastOfRun || keepEpoch, save);
                    if (reason == StopReason.Completed && config.Patience > 0 && sinceBest >= config.Patience)
                        reason = StopReason.EarlyStop;
                    if (print || lastOfRun || keepEpoch)
                    {
                        tokensSinceReport = 0;
                        sinceReport.Restart();
                    }
                }
                if (reason != StopReason.Completed) break;
            }
        }
        return new TrainingOutcome(reason, step, lastEpoch, lastLoss, bestVal, reports);
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

    private void Checkpoint(int epoch, long step, TrainingPosition next, CharBatches? valBatches, RecurrentState? valState,
        RecurrentState state, TimeSpan sinceReport, long tokens, TimeSpan elapsed, long totalSteps, TimeSpan? remaining,
        int? keepEpoch, bool report, bool save)
    {
        double loss = model.ReadScalar(CharRnn.LossSlot);
        double norm = model.ReadScalar(CharRnn.NormSlot);
        // Non-finite loss, gradients or weights mean the model is poisoned: stop before saving.
        bool weightsFinite = model.WeightsFinite();
        string kept = saved || (checkpoints != null && File.Exists(checkpoints.Latest))
            ? "the last good checkpoint was kept" : "no checkpoint was written";
        if (!double.IsFinite(loss) || !double.IsFinite(norm) || !weightsFinite)
            throw new EngineException($"training diverged at step {step}: loss {Text(loss)}, gradient norm {Text(norm)}" +
                $"{(weightsFinite ? "" : ", weights no longer finite")} (last finite loss {(lastLoss is { } l ? Text(l) : "none")}); " +
                $"{kept}. Try a lower LearningRate or GradClip");
        firstLoss ??= loss;
        if (loss > ExplodingFactor * firstLoss)
            throw new EngineException($"loss is exploding at step {step}: {Text(loss)} is over {ExplodingFactor} times the first " +
                $"loss {Text(firstLoss.Value)}; {kept}. Try a lower LearningRate or GradClip");
        lastLoss = loss;
        double? val = valBatches != null ? Evaluator.MeanLoss(model, valBatches, valState, config.ValBatches) : null;
        if (val is { } v && !double.IsFinite(v))
            throw new EngineException($"validation loss became {Text(v)} at step {step}; {kept}");
        var trainingReport = new TrainingReport(epoch, config.Epochs, step, loss, val, norm,
            sinceReport.TotalSeconds > 0 ? tokens / sinceReport.TotalSeconds : 0, elapsed, totalSteps,
            optimizer.LearningRate, remaining);
        if (report)
        {
            reports.Add(trainingReport);
            observer.Report(trainingReport);
        }
        bool best = val is { } vv && (bestVal == null || vv < bestVal);
        if (best) bestVal = val;
        if (val != null) sinceBest = best ? 0 : sinceBest + 1;
        if (checkpoints == null) return;
        var metadata = new Dictionary<string, string>(checkpoints.Metadata, StringComparer.Ordinal)
        {
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["train_loss"] = loss.ToString("R", CultureInfo.InvariantCulture),
        };
        if (val is { } vl) metadata["val_loss"] = vl.ToString("R", CultureInfo.InvariantCulture);
        if (best)
        {
            // A new best is kept whenever it appears, whatever --save-every says.
            ModelCheckpoint.Save(checkpoints.Best, model, vocabulary, metadata);
            observer.Saved("best", checkpoints.Best, step);
        }
        if (!save) return;
        ModelCheckpoint.Save(checkpoints.Latest, model, vocabulary, metadata);
        observer.Saved("latest", checkpoints.Latest, step);
        if (keepEpoch is { } e)
        {
            var path = checkpoints.EpochCheckpoint(e, val);
            ModelCheckpoint.Save(path, model, vocabulary, metadata);
            observer.Saved("epoch", path, step);
            checkpoints.PruneEpochCheckpoints();
        }
        ResumeCheckpoint.Save(checkpoints.Resume, model, vocabulary, state,
            next with { BestValLoss = bestVal, LastLoss = loss, FirstLoss = firstLoss, ValidationsSinceBest = sinceBest },
            config, checkpoints.Corpus,
            checkpoints.CorpusSha256, metadata);
        observer.Saved("resume", checkpoints.Resume, step);
        saved = true;
    }

    private static string Text(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
