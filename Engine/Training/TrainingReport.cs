namespace IlgpuLstm;

/// <summary>
/// What the trainer tells its observer at every print step (the lesson's line and more).
/// Elapsed is the run's training time, across resumes; TotalSteps the step the run will stop at
/// (all epochs, or --max-steps if sooner); Remaining the time to get there at this session's pace.
/// </summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Step">Steps taken in all (across resumes).</param>
/// <param name="Loss">The training loss of this step (nats per character).</param>
/// <param name="ValLoss">The validation loss, when this report validated.</param>
/// <param name="GradNorm">The gradient norm before clipping.</param>
/// <param name="TokensPerSecond">Characters trained per second since the last report.</param>
/// <param name="Elapsed">Training time of the run, across resumes.</param>
/// <param name="TotalSteps">The step the run will stop at (all epochs, or MaxSteps if sooner).</param>
/// <param name="LearningRate">The learning rate in use.</param>
/// <param name="Remaining">Time to reach TotalSteps at this session's pace; null before a step is timed.</param>
public sealed record TrainingReport(int Epoch, int Epochs, long Step, double Loss, double? ValLoss, double GradNorm,
    double TokensPerSecond, TimeSpan Elapsed, long TotalSteps = 0, double LearningRate = 0, TimeSpan? Remaining = null);
