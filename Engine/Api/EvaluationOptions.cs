namespace IlgpuLstm;

/// <summary>What <see cref="CharModel.Evaluate(EvaluationOptions?)"/> measures; null takes the value the model was trained with.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Corpus name or path; null: the one the checkpoint was trained on.</summary>
    public string? Corpus { get; init; }

    /// <summary>
    /// A text in memory to evaluate on instead of <see cref="Corpus"/>; a model trained on a text given
    /// in memory needs it (or a file of it) to be evaluated.
    /// </summary>
    public TrainingText? Text { get; init; }

    /// <summary>The validation split: this fraction at the end of the corpus.</summary>
    public double? ValFrac { get; init; }

    /// <summary>Sequences per batch.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Characters per sequence.</summary>
    public int? SeqLength { get; init; }

    /// <summary>Evaluate only the first N batches (0: the whole split).</summary>
    public int? Batches { get; init; }
}

/// <summary>
/// A validation loss and the shape it was measured at. <see cref="BatchesUsed"/> is less than
/// <see cref="BatchesRequested"/> when the split holds fewer batches than asked for.
/// <see cref="FromTraining"/>: the corpus (by content), shape and split are the ones the model was trained with.
/// </summary>
/// <param name="Corpus">The corpus's name.</param>
/// <param name="Loss">Mean cross-entropy per character, in nats (the mean of batch means).</param>
/// <param name="BitsPerCharacter"><paramref name="Loss"/> / ln 2.</param>
/// <param name="BatchesUsed">Batches evaluated.</param>
/// <param name="BatchesAvailable">Batches the validation split holds at this shape.</param>
/// <param name="BatchesRequested">Batches asked for (0: all).</param>
/// <param name="BatchSize">Sequences per batch.</param>
/// <param name="SeqLength">Characters per sequence.</param>
/// <param name="ValFrac">The validation split's fraction of the corpus.</param>
/// <param name="FromTraining">The corpus (by content), shape and split are the ones the model was trained with, so the loss is comparable with training's.</param>
public sealed record EvaluationResult(string Corpus, double Loss, double BitsPerCharacter, int BatchesUsed, int BatchesAvailable,
    int BatchesRequested, int BatchSize, int SeqLength, double ValFrac, bool FromTraining);
