namespace IlgpuLstm.Engine.Training;

/// <summary>How a run ended.</summary>
public enum StopReason
{
    Completed,
    MaxSteps,
    TimeLimit,
    Interrupted,
    /// <summary>--patience validations passed without a new best validation loss.</summary>
    EarlyStop,
}

/// <summary>Where a run ended and the losses it saw at its print steps.</summary>
public sealed record TrainingOutcome(StopReason Reason, long Steps, int Epoch, double? LastLoss, double? BestValLoss,
    IReadOnlyList<TrainingReport> Reports);
