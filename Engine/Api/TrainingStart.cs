namespace IlgpuLstm;

/// <summary>
/// What a run is about to do, told to <see cref="ITrainingObserver.Starting"/> once the corpus is read
/// and before anything is written.
/// </summary>
/// <param name="Device">The accelerator it trains on.</param>
/// <param name="CorpusName">The corpus's manifest name or file name.</param>
/// <param name="Characters">Characters in the corpus.</param>
/// <param name="Vocabulary">The model's symbols in index order.</param>
/// <param name="TrainCharacters">Characters in the training split.</param>
/// <param name="ValidationCharacters">Characters in the validation split.</param>
/// <param name="Model">The model's shape.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Training">The loop's options.</param>
/// <param name="RunDirectory">Where checkpoints go.</param>
/// <param name="Preset">The preset the options came from.</param>
/// <param name="ResumedStep">The step a resumed run continues after; null for a new run.</param>
/// <param name="ResumedEpoch">The epoch a resumed run continues in; null for a new run.</param>
public sealed record TrainingStart(DeviceDescription Device, string CorpusName, long Characters, IReadOnlyList<string> Vocabulary,
    long TrainCharacters, long ValidationCharacters, ModelConfig Model, long Parameters, TrainingOptions Training,
    string RunDirectory, string Preset, long? ResumedStep, int? ResumedEpoch);
