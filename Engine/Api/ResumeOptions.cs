namespace IlgpuLstm;

/// <summary>
/// What a resumed run may change: its length and its reporting. Everything that defines the model,
/// the data or the optimizer stays the run's own (anything else would not be the same run).
/// Null keeps the run's value.
/// </summary>
public sealed record ResumeOptions
{
    /// <summary>Passes over the training split in all.</summary>
    public int? Epochs { get; init; }
    /// <summary>Stop after this many steps in all (0: no limit).</summary>
    public long? MaxSteps { get; init; }
    /// <summary>Stop cleanly after this much training time in this session.</summary>
    public TimeSpan? TimeLimit { get; init; }
    /// <summary>Steps between reports.</summary>
    public int? PrintEvery { get; init; }
    /// <summary>Steps between validations (0: with every report).</summary>
    public int? ValEvery { get; init; }
    /// <summary>Steps between writes of latest and resume (0: with every validation).</summary>
    public int? SaveEvery { get; init; }
    /// <summary>Validation batches per evaluation (0: the whole split).</summary>
    public int? ValBatches { get; init; }
    /// <summary>Stop early after this many validations without a new best (0: off).</summary>
    public int? Patience { get; init; }

    /// <summary>End-of-epoch checkpoints kept (default 3, as for a new run).</summary>
    public int? Keep { get; init; }

    /// <summary>
    /// Where the run's corpus is now, if it moved: a path or a corpus name. Its content must be the
    /// run's, byte for byte (the run stores its sha256); the checkpoints written from here on name it.
    /// Null: the corpus the run names.
    /// </summary>
    public string? Corpus { get; init; }

    /// <summary>
    /// The run's text given in memory again (a run started with <see cref="CharTrainingOptions.Text"/>
    /// needs it, or a file of it as <see cref="Corpus"/>). Its content must be the run's, byte for byte.
    /// </summary>
    public TrainingText? Text { get; init; }

    /// <summary>The run's options with these changes; the time limit counts from this session's start.</summary>
    public TrainingOptions ApplyTo(TrainingOptions run) => run with
    {
        Epochs = Epochs ?? run.Epochs,
        MaxSteps = MaxSteps ?? run.MaxSteps,
        PrintEvery = PrintEvery ?? run.PrintEvery,
        ValEvery = ValEvery ?? run.ValEvery,
        SaveEvery = SaveEvery ?? run.SaveEvery,
        ValBatches = ValBatches ?? run.ValBatches,
        Patience = Patience ?? run.Patience,
        TimeLimit = TimeLimit,
    };
}
