using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Tests.Engine;

/// <summary>Collects what a trainer reports, for assertions.</summary>
public sealed class RecordingObserver : ITrainingObserver
{
    public List<TrainingReport> Reports { get; } = [];
    public List<(string Kind, string Path)> Saves { get; } = [];

    public void Report(TrainingReport report) => Reports.Add(report);

    public void Saved(string kind, string path, long step) => Saves.Add((kind, path));
}
