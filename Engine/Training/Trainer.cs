using System.Diagnostics;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The lesson's training loop. Each epoch zeroes the hidden state and carries it, detached,
/// across its batches; each step is forward, mean cross-entropy, backward, global-norm clip and
/// one optimizer kernel, all queued on the device with no read-back. After a step the
/// <see cref="CheckpointSchedule"/> says whether to report, validate (eval mode, a zero state
/// carried across the validation batches, mean of batch means) and save; the
/// <see cref="RunRecord"/> guards against divergence and tracks the best validation loss. Dropout
/// masks depend only on (seed, step), so a run, and a run stopped and resumed, repeat bit for bit.
/// </summary>
internal sealed class Trainer
{
    private readonly CharRnn model;
    private readonly TrainingOptions config;
    private readonly RunCheckpoints? checkpoints;
    private readonly ITrainingObserver observer;
    private readonly Optimizer optimizer;
    private readonly List<TrainingReport> reports = [];

    /// <param name="model">The model, its weights (and for a resume, its moments) uploaded.</param>
    /// <param name="config">The loop's options.</param>
    /// <param name="vocabulary">The model's symbols, saved in every checkpoint.</param>
    /// <param name="plan">Where checkpoints go; null trains without writing any (tests).</param>
    /// <param name="observer">Told every report and save.</param>
    public Trainer(CharRnn model, TrainingOptions config, Vocabulary vocabulary, CheckpointPlan? plan, ITrainingObserver observer)
    {
        this.model = model;
        this.config = config;
        this.observer = observer;
        optimizer = new Optimizer(model.Device.Ops, model.Store, config.Optimizer);
        checkpoints = plan is null ? null : new RunCheckpoints(plan, model, vocabulary, config, observer);
    }

    /// <summary>char-rnn's guard: a loss above this multiple of the run's first one aborts it.</summary>
    public const double ExplodingFactor = RunRecord.ExplodingFactor;

    /// <summary>The data, state and clock of one session of a run, shared by the loop and what it does after a step.</summary>
    private sealed record Session(CharBatches Train, CharBatches? Validation, RecurrentState State, RecurrentState? ValState,
        RunRecord Record, TimeSpan Before, long Start, long TotalSteps)
    {
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public Stopwatch SinceReport { get; } = Stopwatch.StartNew();
        public long TokensSinceReport { get; set; }

        /// <summary>Time spent after steps on validation and saves, kept out of the pace.</summary>
        public TimeSpan Overhead { get; set; }
    }

    /// <summary>Runs from the start, or from <paramref name="resume"/> (whose weights and moments the caller uploaded).</summary>
    /// <remarks>
    /// Holds the device's gate while it trains and lets other callers on the device in between steps
    /// (<see cref="DeviceTurns"/>), so a model sampled on the same device from another thread never
    /// runs inside a step. The observer is called holding it.
    /// </remarks>
    public TrainingOutcome Run(TokenSequence train, TokenSequence validation, CancellationToken cancel = default, ResumePoint? resume = null)
    {
        lock (model.Device.Gate)
        {
            model.Device.ThrowIfDisposed();
            return RunHoldingGate(train, validation, cancel, resume);
        }
    }

    private TrainingOutcome RunHoldingGate(TokenSequence train, TokenSequence validation, CancellationToken cancel, ResumePoint? resume)
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
        long totalSteps = (long)trainBatches.Count * config.Epochs;
        if (config.MaxSteps > 0) totalSteps = Math.Min(totalSteps, config.MaxSteps);
        var s = new Session(trainBatches, valBatches, state, valState, new RunRecord(position),
            TimeSpan.FromSeconds(position.ElapsedSeconds), position.Step, totalSteps);
        var schedule = new CheckpointSchedule(config, valBatches != null, checkpoints is { KeepsEpochs: true });

        var x = new int[config.BatchSize * config.SeqLength];
        var y = new int[x.Length];
        TimeSpan paceFrom = TimeSpan.Zero, overheadFrom = TimeSpan.Zero;
        long step = position.Step;
        // A resumed run that already reached MaxSteps has nothing to do.
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
                DeviceTurns.LetOthersIn(model.Device);
                step++;
                trainBatches.Fill(i, x, y);
                model.SetBatch(x, y);
                model.Forward(state, training: true, config.Seed, DropoutStream(step));
                model.Loss();
                model.Backward(training: true);
                model.ClipGradients((float)config.GradClip, (float)config.GradClamp);
                optimizer.Step(model.Scalars, CharRnn.ClipSlot);
                s.TokensSinceReport += x.Length;
                long inSession = step - s.Start;
                if (inSession is PaceStart or PaceFirst or PaceSecond)
                {
                    // Three waits for the device a session, to tell the pace before the first report:
                    // over steps 3-5 (the first ones carry one-time costs: JIT, allocation, cold
                    // caches), then again, steadier, over steps 6-25.
                    model.Device.Synchronize();
                    var now = s.Clock.Elapsed;
                    if (inSession != PaceStart)
                        observer.Pace((now - paceFrom - (s.Overhead - overheadFrom)) /
                            (inSession == PaceFirst ? PaceFirst - PaceStart : PaceSecond - PaceFirst), totalSteps - step, inSession == PaceSecond);
                    paceFrom = now;
                    overheadFrom = s.Overhead;
                }

                reason = StopAfter(step, s.Clock.Elapsed, cancel);
                bool endOfEpoch = i == trainBatches.Count - 1;
                bool lastOfRun = reason != StopReason.Completed || (epoch == config.Epochs && endOfEpoch);
                var actions = schedule.After(step, epoch, endOfEpoch, lastOfRun, reason == StopReason.Interrupted);
                if (actions.Any)
                {
                    var next = endOfEpoch
                        ? new TrainingPosition(epoch + 1, 0, step, optimizer.StepCount, null, null)
                        : new TrainingPosition(epoch, i + 1, step, optimizer.StepCount, null, null);
                    AfterStep(s, epoch, next, actions);
                    if (reason == StopReason.Completed && config.Patience > 0 && s.Record.ValidationsSinceBest >= config.Patience)
                        reason = StopReason.EarlyStop;
                }
                if (reason != StopReason.Completed) break;
            }
        }
        return new TrainingOutcome(reason, step, lastEpoch, s.Record.LastLoss, s.Record.BestValLoss, reports);
    }

    /// <summary>Session steps after which the loop waits for the device to time the pace.</summary>
    private const long PaceStart = 2, PaceFirst = 5, PaceSecond = 25;

    /// <summary>Per-step Philox stream: 256 dropout sites per step, far more than layers.</summary>
    public static ulong DropoutStream(long step) => (ulong)step << 8;

    private StopReason StopAfter(long step, TimeSpan elapsed, CancellationToken cancel)
    {
        if (cancel.IsCancellationRequested) return StopReason.Interrupted;
        if (config.MaxSteps > 0 && step >= config.MaxSteps) return StopReason.MaxSteps;
        if (config.TimeLimit is { } limit && elapsed >= limit) return StopReason.TimeLimit;
        return StopReason.Completed;
    }

    /// <summary>The reads after a step (loss, norm: the only read-backs), the guard, validation, the report and the saves.</summary>
    private void AfterStep(Session s, int epoch, TrainingPosition next, StepActions actions)
    {
        long step = next.Step;
        // Timed before the reads and validation, as the run's clock: validation shows in the next step's pace.
        var elapsed = s.Before + s.Clock.Elapsed;
        var remaining = step > s.Start
            ? TimeSpan.FromTicks(s.Clock.Elapsed.Ticks / (step - s.Start) * Math.Max(0, s.TotalSteps - step))
            : (TimeSpan?)null;
        double loss = model.ReadScalar(CharRnn.LossSlot);
        double norm = model.ReadScalar(CharRnn.NormSlot);
        // The reads waited for the step itself; what follows is this step's overhead, not its pace.
        var overheadStart = s.Clock.Elapsed;
        string kept = checkpoints?.Kept ?? "no checkpoint was written";
        // Non-finite loss, gradients or weights mean the model is poisoned: stop before saving.
        s.Record.CheckTraining(step, loss, norm, model.WeightsFinite(), kept);
        double? val = actions.Validate ? Evaluator.MeanLoss(model, s.Validation!, s.ValState, config.ValBatches) : null;
        bool best = val is { } v && s.Record.Validated(step, v, kept);
        double seconds = s.SinceReport.Elapsed.TotalSeconds;
        var report = new TrainingReport(epoch, config.Epochs, step, loss, val, norm,
            seconds > 0 ? s.TokensSinceReport / seconds : 0, elapsed, s.TotalSteps, optimizer.LearningRate, remaining);
        if (actions.Report)
        {
            reports.Add(report);
            observer.Report(report);
            s.TokensSinceReport = 0;
            s.SinceReport.Restart();
        }
        checkpoints?.Write(report, actions, best, s.State, s.Record.Into(next with { ElapsedSeconds = elapsed.TotalSeconds }));
        s.Overhead += s.Clock.Elapsed - overheadStart;
    }
}
