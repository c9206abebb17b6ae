namespace IlgpuLstm;

/// <summary>An <see cref="ITrainingObserver"/> from delegates, for callers who want one or two of its events.</summary>
public sealed class TrainingCallbacks : ITrainingObserver
{
    /// <summary>Called by <see cref="Starting"/>.</summary>
    public Action<TrainingStart>? OnStarting { get; init; }

    /// <summary>Called by <see cref="Report"/>.</summary>
    public Action<TrainingReport>? OnReport { get; init; }

    /// <summary>Called by <see cref="Saved"/> with the kind, path and step.</summary>
    public Action<string, string, long>? OnSaved { get; init; }

    /// <summary>Called by <see cref="Note"/>.</summary>
    public Action<string>? OnNote { get; init; }

    /// <inheritdoc/>
    public void Starting(TrainingStart start) => OnStarting?.Invoke(start);

    /// <inheritdoc/>
    public void Report(TrainingReport report) => OnReport?.Invoke(report);

    /// <inheritdoc/>
    public void Saved(string kind, string path, long step) => OnSaved?.Invoke(kind, path, step);

    /// <inheritdoc/>
    public void Note(string message) => OnNote?.Invoke(message);
}
