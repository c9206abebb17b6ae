namespace IlgpuLstm;

/// <summary>
/// The training loop's options (the model's shape is <see cref="CharTrainingOptions"/>'s). Built with
/// named members from a preset: <c>TrainingOptions.CpuDefault with { MaxSteps = 40 }</c>.
/// Messages about a bad value name the property (<c>LearningRate must be positive</c>).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training split.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Stop after this many steps in all (0: no limit).</summary>
    public long MaxSteps { get; init; }

    /// <summary>Sequences per batch (rows of the lesson's get_batches).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Characters per sequence: the truncated back-propagation length.</summary>
    public int SeqLength { get; init; } = 50;

    /// <summary>The fraction at the end of the corpus held out for validation, in [0, 1).</summary>
    public double ValFrac { get; init; } = 0.1;

    /// <summary>Steps between progress reports.</summary>
    public int PrintEvery { get; init; } = 50;

    /// <summary>Clip the global L2 norm of the gradients to this (0: off).</summary>
    public double GradClip { get; init; } = 5;

    /// <summary>Seed of the initialisation and the dropout masks: the same seed gives the same run, bit for bit.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Stop cleanly after this much training time in this session (a resumed run counts afresh); null: no limit.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>The optimizer and its learning rate.</summary>
    public OptimizerSettings Optimizer { get; init; } = new(OptimizerKind.Adam, 2e-3);

    /// <summary>Validation batches per evaluation (0: the whole split, as the lesson).</summary>
    public int ValBatches { get; init; }

    /// <summary>Clamp every gradient element to ±this before the norm clip (char-rnn's clip; 0: off).</summary>
    public double GradClamp { get; init; }

    /// <summary>Stop early after this many validations without a new best validation loss (0: off).</summary>
    public int Patience { get; init; }

    /// <summary>char-rnn's schedule: multiply the learning rate by this at the end of every epoch from <see cref="DecayAfter"/> on (1: constant).</summary>
    public double LrDecay { get; init; } = 1;

    /// <summary>The epoch from whose end <see cref="LrDecay"/> applies.</summary>
    public int DecayAfter { get; init; } = 10;

    /// <summary>Steps between validations (0: with every report, as the lesson).</summary>
    public int ValEvery { get; init; }

    /// <summary>Steps between writes of latest and resume checkpoints (0: with every validation; a new best is always written).</summary>
    public int SaveEvery { get; init; }

    /// <summary>
    /// The Udacity lesson's loop: batch 128, seq 100, Adam 1e-3, clip 5, 20 epochs, a report every 10
    /// steps. The lesson also validated the whole split every 10 steps; here that happens every 100
    /// steps and at the end of every epoch, since on two CPU cores a full validation (15 forward
    /// batches, about 6.5 s) every 10 steps would add 30 minutes to the 20 epochs (the losses it
    /// reports are the lesson's: same split, same eval-mode state carried across the batches).
    /// </summary>
    public static TrainingOptions Lesson { get; } = new()
    {
        Epochs = 20,
        BatchSize = 128,
        SeqLength = 100,
        PrintEvery = 10,
        ValEvery = 100,
        Optimizer = new(OptimizerKind.Adam, 1e-3),
    };

    /// <summary>
    /// Sized for a CPU: batch 32, seq 50, Adam 2e-3, clip 5, 10 epochs, a report and a validation
    /// over the first 20 batches of the split every 50 steps.
    /// </summary>
    public static TrainingOptions CpuDefault { get; } = new() { ValBatches = 20 };

    /// <summary>Steps between validations: <see cref="ValEvery"/>, or every print when 0 (the lesson).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int ValidationInterval => ValEvery > 0 ? ValEvery : PrintEvery;

    /// <summary>Steps between writes of latest and resume: <see cref="SaveEvery"/>, or every validation when 0.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int SaveInterval => SaveEvery > 0 ? SaveEvery : ValidationInterval;

    /// <summary>
    /// char-rnn's schedule: the learning rate is multiplied by <see cref="LrDecay"/> at the end of
    /// every epoch from epoch <see cref="DecayAfter"/> on, so epoch e (1-based) trains at
    /// lr · decay^max(0, e - DecayAfter). A function of the epoch alone, so resume stays exact.
    /// </summary>
    public double LearningRateScale(int epoch) => LrDecay == 1 ? 1 : Math.Pow(LrDecay, Math.Max(0, epoch - DecayAfter));

    /// <summary>Throws <see cref="UsageException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new OptionOutOfRangeException("Epochs", $"Epochs must be at least 1, got {Epochs}");
        if (MaxSteps < 0) throw new OptionOutOfRangeException("MaxSteps", $"MaxSteps must be 0 (no limit) or positive, got {MaxSteps}");
        if (BatchSize < 1) throw new OptionOutOfRangeException("BatchSize", $"BatchSize must be at least 1, got {BatchSize}");
        if (SeqLength < 1) throw new OptionOutOfRangeException("SeqLength", $"SeqLength must be at least 1, got {SeqLength}");
        if (PrintEvery < 1) throw new OptionOutOfRangeException("PrintEvery", $"PrintEvery must be at least 1, got {PrintEvery}");
        if (!(ValFrac >= 0 && ValFrac < 1)) throw new OptionOutOfRangeException("ValFrac", $"ValFrac must be in [0, 1), got {ValFrac}");
        if (!(GradClip >= 0)) throw new OptionOutOfRangeException("GradClip", $"GradClip must be 0 (off) or positive, got {GradClip}");
        if (!(Optimizer.LearningRate > 0) || double.IsInfinity(Optimizer.LearningRate))
            throw new OptionOutOfRangeException("LearningRate", $"LearningRate must be positive, got {Optimizer.LearningRate}");
        if (!(Optimizer.WeightDecay >= 0) || double.IsInfinity(Optimizer.WeightDecay))
            throw new OptionOutOfRangeException("WeightDecay", $"WeightDecay must be 0 (off) or positive, got {Optimizer.WeightDecay}");
        if (!(GradClamp >= 0)) throw new OptionOutOfRangeException("GradClamp", $"GradClamp must be 0 (off) or positive, got {GradClamp}");
        if (!(LrDecay > 0 && LrDecay <= 1)) throw new OptionOutOfRangeException("LrDecay", $"LrDecay must be in (0, 1], got {LrDecay}");
        if (DecayAfter < 0) throw new OptionOutOfRangeException("DecayAfter", $"DecayAfter must be 0 or more epochs, got {DecayAfter}");
        if (ValEvery < 0) throw new OptionOutOfRangeException("ValEvery", $"ValEvery must be 0 (with every print) or positive, got {ValEvery}");
        if (SaveEvery < 0) throw new OptionOutOfRangeException("SaveEvery", $"SaveEvery must be 0 (with every validation) or positive, got {SaveEvery}");
        if (Patience < 0) throw new OptionOutOfRangeException("Patience", $"Patience must be 0 (off) or positive, got {Patience}");
        if (ValBatches < 0) throw new OptionOutOfRangeException("ValBatches", $"ValBatches must be 0 (all) or positive, got {ValBatches}");
        if (TimeLimit is { } limit && limit <= TimeSpan.Zero)
            throw new OptionOutOfRangeException("TimeLimit", $"TimeLimit must be positive, got {limit}");
    }
}
