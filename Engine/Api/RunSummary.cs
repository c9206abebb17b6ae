namespace IlgpuLstm;

/// <summary>
/// A stopped run as <see cref="CharTraining.Resume(ComputeDevice, string, ResumeOptions?, ITrainingObserver?, CancellationToken)"/>
/// would continue it: its directory and resume file, model, options, corpus and where it stopped.
/// </summary>
public sealed record RunSummary(string Directory, string ResumeFile, ModelConfig Model, TrainingOptions Training, string Corpus,
    int Epoch, long Step);
