namespace IlgpuLstm.Engine.Training;

/// <summary>Receives progress; the CLI prints it, tests record it.</summary>
public interface ITrainingObserver
{
    void Report(TrainingReport report);

    /// <summary>A checkpoint was written (kind is "latest" or "best").</summary>
    void Saved(string kind, string path);
}
