namespace IlgpuLstm;

/// <summary>How a run ended, its reports, and the checkpoints it left.</summary>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Steps">Steps taken in all (across resumes).</param>
/// <param name="Epoch">The epoch it stopped in.</param>
/// <param name="LastLoss">The last training loss read.</param>
/// <param name="BestValLoss">The best validation loss so far; null without validation.</param>
/// <param name="Reports">This session's reports (none when a resumed run had nothing left to do).</param>
/// <param name="RunDirectory">The run's directory.</param>
public sealed record TrainingResult(StopReason Reason, long Steps, int Epoch, double? LastLoss, double? BestValLoss,
    IReadOnlyList<TrainingReport> Reports, string RunDirectory)
{
    /// <summary>The weights at the last step (PyTorch names; load with <see cref="CharModel.Load(string, ComputeDevice)"/>).</summary>
    public string LatestCheckpoint => Path.Combine(RunDirectory, Engine.Training.CheckpointPlan.LatestName);

    /// <summary>
    /// The weights of the best validation loss; null when the run never validated (<see cref="TrainingOptions.ValFrac"/>
    /// 0, or stopped before its first validation), so no such file was written.
    /// </summary>
    public string? BestCheckpoint => BestValLoss is null ? null : Path.Combine(RunDirectory, Engine.Training.CheckpointPlan.BestName);

    /// <summary>Everything <see cref="CharTraining.Resume(ComputeDevice, string, ResumeOptions?, ITrainingObserver?, CancellationToken)"/> needs.</summary>
    public string ResumeCheckpoint => Path.Combine(RunDirectory, Engine.Training.CheckpointPlan.ResumeName);

    /// <summary>The run's reports, one JSON object a line (step, epoch, train_loss, val_loss, ...).</summary>
    public string Metrics => Path.Combine(RunDirectory, Engine.Training.CheckpointPlan.MetricsName);
}
