namespace IlgpuLstm;

/// <summary>How a run ended.</summary>
public enum StopReason
{
    /// <summary>Every epoch was trained.</summary>
    Completed,
    /// <summary><see cref="TrainingOptions.MaxSteps"/> was reached.</summary>
    MaxSteps,
    /// <summary><see cref="TrainingOptions.TimeLimit"/> was reached.</summary>
    TimeLimit,
    /// <summary>The caller cancelled; the run saved after the step it was in.</summary>
    Interrupted,
    /// <summary><see cref="TrainingOptions.Patience"/> validations passed without a new best validation loss.</summary>
    EarlyStop,
}

/// <summary>Where a run ended and the losses it saw at its print steps.</summary>
internal sealed record TrainingOutcome(StopReason Reason, long Steps, int Epoch, double? LastLoss, double? BestValLoss,
    IReadOnlyList<TrainingReport> Reports);
