namespace IlgpuLstm.Engine.Training;

/// <summary>
/// Where a run stands between two steps: the next batch to train (epoch is 1-based, batch index
/// within that epoch), steps taken, optimizer steps, and the best validation loss so far.
/// Together with the weights, optimizer moments and carried hidden state it is all a run needs
/// to continue exactly (dropout masks depend only on seed and step). ElapsedSeconds is the run's
/// training time so far, so a resumed run's clock continues.
/// </summary>
internal sealed record TrainingPosition(int Epoch, int BatchIndex, long Step, long OptimizerStep, double? BestValLoss,
    double? LastLoss, double? FirstLoss = null, int ValidationsSinceBest = 0, double ElapsedSeconds = 0);
