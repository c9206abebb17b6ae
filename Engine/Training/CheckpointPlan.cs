namespace IlgpuLstm.Engine.Training;

/// <summary>
/// Where a run writes <c>latest.safetensors</c>, <c>best.safetensors</c> (weights, PyTorch names)
/// and <c>resume.safetensors</c> (everything <c>--resume</c> needs), the metadata every checkpoint
/// carries, and the corpus identity a resume must match.
/// </summary>
public sealed record CheckpointPlan(string Directory, IReadOnlyDictionary<string, string> Metadata, string Corpus,
    string CorpusSha256)
{
    public const string LatestName = "latest.safetensors", BestName = "best.safetensors", ResumeName = "resume.safetensors";

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
