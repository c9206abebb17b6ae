namespace IlgpuLstm;

/// <summary>
/// How characters are drawn: <see cref="TopK"/> keeps the k most probable and renormalises (the
/// lesson), <see cref="TopP"/> keeps the smallest most-probable set whose probability reaches p
/// (nucleus sampling), <see cref="Temperature"/> divides the logits first (char-rnn),
/// <see cref="Argmax"/> always takes the most probable. <see cref="Seed"/> makes the draws repeatable.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>
    /// New characters drawn after the prime (0: the prime alone). Before version 1.3 this counted the
    /// characters after the first predicted one, as the lesson's <c>sample(size)</c> and the CLI's
    /// <c>--length</c> do (those draw size + 1).
    /// </summary>
    public int Length { get; init; } = 1000;

    /// <summary>Draw among the k most probable characters; null: all.</summary>
    public int? TopK { get; init; }

    /// <summary>Draw among the most probable characters whose probabilities sum to at least p, in (0, 1]; null: off.</summary>
    public double? TopP { get; init; }

    /// <summary>Divide the logits by this before the softmax (below 1: more conservative).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Always take the most probable character.</summary>
    public bool Argmax { get; init; }

    /// <summary>Seed of the draws: the same seed gives the same text.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Throws <see cref="OptionOutOfRangeException"/> naming the first property out of range.</summary>
    /// <exception cref="OptionOutOfRangeException">A property is out of its range.</exception>
    public void Validate(int vocabSize)
    {
        if (Length < 0) throw new OptionOutOfRangeException("Length", $"Length must be 0 or more, got {Length}");
        if (TopK is { } k && (k < 1 || k > vocabSize))
            throw new OptionOutOfRangeException("TopK", $"TopK must be between 1 and the vocabulary size {vocabSize}, got {k}");
        if (TopP is { } p && !(p > 0 && p <= 1))
            throw new OptionOutOfRangeException("TopP", $"TopP must be in (0, 1], got {p}");
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new OptionOutOfRangeException("Temperature", $"Temperature must be positive, got {Temperature}");
    }
}
