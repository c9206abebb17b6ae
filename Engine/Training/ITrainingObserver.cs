namespace IlgpuLstm.Engine.Training;

/// <summary>Receives progress; the CLI prints it, tests record it.</summary>
public interface ITrainingObserver
{
    void Report(TrainingReport report);

    /// <summary>A checkpoint of the model after <paramref name="step"/> was written (kind is "latest", "best", "resume" or "epoch").</summary>
    void Saved(string kind, string path, long step);

    /// <summary>
    /// After this session's third step, the time a step takes (steps 2 and 3, timed to completion)
    /// and the steps left: what the run will take, said at once rather than at the first report,
    /// which may be minutes away on a CPU.
    /// </summary>
    void FirstStep(TimeSpan stepTime, long remainingSteps)
    {
    }
}
