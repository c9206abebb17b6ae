namespace IlgpuLstm.Engine.Training;

/// <summary>What the trainer tells its observer at every print step (the lesson's line and more).</summary>
public sealed record TrainingReport(int Epoch, int Epochs, long Step, double Loss, double? ValLoss, double GradNorm,
    double TokensPerSecond, TimeSpan Elapsed);
