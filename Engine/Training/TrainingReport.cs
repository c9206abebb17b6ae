namespace IlgpuLstm;

/// <summary>
/// What the trainer tells its observer at every print step (the lesson's line and more).
/// Elapsed is the run's training time, across resumes; TotalSteps the step the run will stop at
/// (all epochs, or --max-steps if sooner); Remaining the time to get there at this session's pace.
/// </summary>
public sealed record TrainingReport(int Epoch, int Epochs, long Step, double Loss, double? ValLoss, double GradNorm,
    double TokensPerSecond, TimeSpan Elapsed, long TotalSteps = 0, double LearningRate = 0, TimeSpan? Remaining = null);
