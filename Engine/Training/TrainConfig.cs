namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The training loop's options (the model's shape is <see cref="Models.ModelConfig"/>).
/// <c>ValBatches</c> 0 validates on the whole split, as the lesson does; <c>GradClamp</c> &gt; 0
/// clamps every gradient element to ±GradClamp (char-rnn's clip) before the norm clip;
/// <c>Patience</c> &gt; 0 stops early after that many validations without a new best.
/// </summary>
public sealed record TrainConfig(
    int Epochs,
    int MaxSteps,
    int BatchSize,
    int SeqLength,
    double ValFrac,
    int PrintEvery,
    double GradClip,
    ulong Seed,
    TimeSpan? TimeLimit,
    OptimizerSettings Optimizer,
    int ValBatches = 0,
    double GradClamp = 0,
    int Patience = 0,
    double LrDecay = 1,
    int DecayAfter = 10,
    int ValEvery = 0,
    int SaveEvery = 0)
{
    /// <summary>Steps between validations: <see cref="ValEvery"/>, or every print when 0 (the lesson).</summary>
    public int ValidationInterval => ValEvery > 0 ? ValEvery : PrintEvery;

    /// <summary>Steps between writes of latest and resume: <see cref="SaveEvery"/>, or every validation when 0.</summary>
    public int SaveInterval => SaveEvery > 0 ? SaveEvery : ValidationInterval;

    /// <summary>
    /// char-rnn's schedule: the learning rate is multiplied by <see cref="LrDecay"/> at the end of
    /// every epoch from epoch <see cref="DecayAfter"/> on, so epoch e (1-based) trains at
    /// lr · decay^max(0, e - DecayAfter). A function of the epoch alone, so resume stays exact.
    /// </summary>
    public double LearningRateScale(int epoch) => LrDecay == 1 ? 1 : Math.Pow(LrDecay, Math.Max(0, epoch - DecayAfter));

    public void Validate()
    {
        if (Epochs < 1) throw new UsageException($"--epochs must be at least 1, got {Epochs}");
        if (MaxSteps < 0) throw new UsageException($"--max-steps must be 0 (no limit) or positive, got {MaxSteps}");
        if (BatchSize < 1) throw new UsageException($"--batch-size must be at least 1, got {BatchSize}");
        if (SeqLength < 1) throw new UsageException($"--seq-length must be at least 1, got {SeqLength}");
        if (PrintEvery < 1) throw new UsageException($"--print-every must be at least 1, got {PrintEvery}");
        if (!(ValFrac >= 0 && ValFrac < 1)) throw new UsageException($"--val-frac must be in [0, 1), got {ValFrac}");
        if (!(GradClip >= 0)) throw new UsageException($"--grad-clip must be 0 (off) or positive, got {GradClip}");
        if (!(Optimizer.LearningRate > 0) || double.IsInfinity(Optimizer.LearningRate))
            throw new UsageException($"--lr must be positive, got {Optimizer.LearningRate}");
        if (!(GradClamp >= 0)) throw new UsageException($"--grad-clamp must be 0 (off) or positive, got {GradClamp}");
        if (!(LrDecay > 0 && LrDecay <= 1)) throw new UsageException($"--lr-decay must be in (0, 1], got {LrDecay}");
        if (DecayAfter < 0) throw new UsageException($"--decay-after must be 0 or more epochs, got {DecayAfter}");
        if (ValEvery < 0) throw new UsageException($"--val-every must be 0 (with every print) or positive, got {ValEvery}");
        if (SaveEvery < 0) throw new UsageException($"--save-every must be 0 (with every validation) or positive, got {SaveEvery}");
        if (Patience < 0) throw new UsageException($"--patience must be 0 (off) or positive, got {Patience}");
        if (ValBatches < 0) throw new UsageException($"--val-batches must be 0 (all) or positive, got {ValBatches}");
        if (TimeLimit is { } limit && limit <= TimeSpan.Zero)
            throw new UsageException($"--time-limit must be positive, got {limit}");
    }
}
