namespace IlgpuLstm;

/// <summary>
/// Receives a run's progress; every member has an empty default, so implement what you need. An
/// observer is also an <see cref="IProgress{T}"/> of <see cref="TrainingReport"/> (its reports), so
/// it goes wherever one is asked for; training calls it on the training thread, in order.
/// </summary>
public interface ITrainingObserver : IProgress<TrainingReport>
{
    /// <summary>Passes the report to <see cref="Report"/>.</summary>
    void IProgress<TrainingReport>.Report(TrainingReport value) => Report(value);

    /// <summary>
    /// Once, after the corpus is read and before anything is written or locked: throw here to
    /// abandon the run with nothing left behind.
    /// </summary>
    void Starting(TrainingStart start)
    {
    }

    /// <summary>Every <see cref="TrainingOptions.PrintEvery"/> steps and at the end: losses, speed, time.</summary>
    new void Report(TrainingReport report)
    {
    }

    /// <summary>A checkpoint of the model after <paramref name="step"/> was written (kind is "latest", "best", "resume" or "epoch").</summary>
    void Saved(string kind, string path, long step)
    {
    }

    /// <summary>
    /// The time a step takes and the steps left: what the run will take, said early rather than at
    /// the first report, which may be minutes away on a CPU. Told after this session's 5th step
    /// (timed over steps 3-5, to completion) and again, <paramref name="updated"/>, after its 25th
    /// (steps 6-25), when the run is that long.
    /// </summary>
    void Pace(TimeSpan stepTime, long remainingSteps, bool updated)
    {
    }

    /// <summary>Something the run did that its caller may want to say (temporary files of killed runs removed).</summary>
    void Note(string message)
    {
    }
}
