namespace IlgpuLstm.Engine.Sampling;

/// <summary>
/// How characters are drawn: <see cref="TopK"/> keeps the k most probable and renormalises (the
/// lesson), <see cref="Temperature"/> divides the logits first (char-rnn), <see cref="Argmax"/>
/// always takes the most probable. <see cref="Seed"/> makes the draws repeatable.
/// </summary>
public sealed record SamplingOptions(int Length, int? TopK, double Temperature, bool Argmax, ulong Seed)
{
    public void Validate(int vocabSize)
    {
        if (Length < 0) throw new UsageException($"--length must be 0 or more, got {Length}");
        if (TopK is { } k && (k < 1 || k > vocabSize))
            throw new UsageException($"--top-k must be between 1 and the vocabulary size {vocabSize}, got {k}");
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new UsageException($"--temperature must be positive, got {Temperature}");
    }
}
