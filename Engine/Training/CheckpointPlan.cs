namespace IlgpuLstm.Engine.Training;

/// <summary>Where a run writes <c>latest.safetensors</c> / <c>best.safetensors</c>, and the metadata every checkpoint carries.</summary>
public sealed record CheckpointPlan(string Directory, IReadOnlyDictionary<string, string> Metadata)
{
    public string Latest => Path.Combine(Directory, "latest.safetensors");
    public string Best => Path.Combine(Directory, "best.safetensors");

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
