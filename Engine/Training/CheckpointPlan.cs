namespace IlgpuLstm.Engine.Training;

/// <summary>
/// Where a run writes <c>latest.safetensors</c>, <c>best.safetensors</c> (weights, PyTorch names)
/// and <c>resume.safetensors</c> (everything <c>--resume</c> needs), the metadata every checkpoint
/// carries, and the corpus identity a resume must match. With <see cref="Keep"/> &gt; 0 it also
/// keeps the last Keep end-of-epoch checkpoints, named as char-rnn names them: epoch and
/// validation loss (<c>epoch003_1.4321.safetensors</c>).
/// </summary>
internal sealed record CheckpointPlan(string Directory, IReadOnlyDictionary<string, string> Metadata, string Corpus,
    string CorpusSha256, int Keep = 0)
{
    public const string LatestName = "latest.safetensors", BestName = "best.safetensors", ResumeName = "resume.safetensors",
        MetricsName = "metrics.jsonl";

    /// <summary>Whether a directory holds another run's checkpoints, which a new run must not replace unasked.</summary>
    public static bool HoldsRun(string directory) =>
        new[] { LatestName, BestName, ResumeName }.Any(n => File.Exists(Path.Combine(directory, n)));

    public string Metrics => Path.Combine(Directory, MetricsName);

    public string EpochCheckpoint(int epoch, double? valLoss) => Path.Combine(Directory,
        $"epoch{epoch:D3}_{(valLoss is { } v ? v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "noval")}.safetensors");

    /// <summary>Deletes the oldest end-of-epoch checkpoints beyond <see cref="Keep"/>.</summary>
    public void PruneEpochCheckpoints()
    {
        var epochs = System.IO.Directory.GetFiles(Directory, "epoch*_*.safetensors")
            .Where(f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^epoch\d{3,}_[0-9.a-z]+\.safetensors$"))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        foreach (var old in epochs.Take(Math.Max(0, epochs.Count - Keep))) File.Delete(old);
    }

    public string Latest => Path.Combine(Directory, LatestName);
    public string Best => Path.Combine(Directory, BestName);
    public string Resume => Path.Combine(Directory, ResumeName);

    /// <summary>Creates the directory and proves it writable before training starts, not at the first save.</summary>
    public void EnsureWritable()
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var probe = Path.Combine(Directory, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"checkpoint directory '{Directory}' is not writable: {e.Message}");
        }
    }
}
