namespace IlgpuLstm;

/// <summary>
/// A stopped run as <see cref="CharTraining.Resume(ComputeDevice, string, ResumeOptions?, ITrainingObserver?, CancellationToken)"/>
/// would continue it: its directory and resume file, model, options, corpus and where it stopped.
/// </summary>
/// <param name="Directory">The run's directory.</param>
/// <param name="ResumeFile">The checkpoint a resume continues from.</param>
/// <param name="Model">The architecture.</param>
/// <param name="Training">The run's options.</param>
/// <param name="Corpus">The corpus as recorded: a manifest name, a path, or <c>memory:NAME</c> for a text given in memory.</param>
/// <param name="Epoch">The epoch it will continue in.</param>
/// <param name="Step">Steps taken so far.</param>
public sealed record RunSummary(string Directory, string ResumeFile, ModelConfig Model, TrainingOptions Training, string Corpus,
    int Epoch, long Step);
