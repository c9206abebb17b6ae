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
    int Patience = 0)
{
    public void Validate()
    {
        if (Epochs < 1) throw new EngineException($"--epochs must be at least 1, got {Epochs}");
        if (MaxSteps < 0) throw new EngineException($"--max-steps must be 0 (no limit) or positive, got {MaxSteps}");
        if (BatchSize < 1) throw new EngineException($"--batch-size must be at least 1, got {BatchSize}");
        if (SeqLength < 1) throw new EngineException($"--seq-length must be at least 1, got {SeqLength}");
        if (PrintEvery < 1) throw new EngineException($"--print-every must be at least 1, got {PrintEvery}");
        if (!(ValFrac >= 0 && ValFrac < 1)) throw new EngineException($"--val-frac must be in [0, 1), got {ValFrac}");
        if (!(GradClip >= 0)) throw new EngineException($"--grad-clip must be 0 (off) or positive, got {GradClip}");
        if (!(Optimizer.LearningRate > 0) || double.IsInfinity(Optimizer.LearningRate))
            throw new EngineException($"--lr must be positive, got {Optimizer.LearningRate}");
        if (!(GradClamp >= 0)) throw new EngineException($"--grad-clamp must be 0 (off) or positive, got {GradClamp}");
        if (Patience < 0) throw new EngineException($"--patience must be 0 (off) or positive, got {Patience}");
        if (ValBatches < 0) throw new EngineException($"--val-batches must be 0 (all) or positive, got {ValBatches}");
        if (TimeLimit is { } limit && limit <= TimeSpan.Zero)
            throw new EngineException($"--time-limit must be positive, got {limit}");
    }
}
