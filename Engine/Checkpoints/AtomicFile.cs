namespace IlgpuLstm.Engine.Checkpoints;

/// <summary>
/// Writes a file so that a reader, or a kill -9 at any moment, sees the old file or the new one,
/// never half of one: to <c>.NAME.PID.tmp</c> beside it (the name the run lock's debris cleanup
/// knows), flushed to disk, then renamed over it. The temporary file is removed on failure.
/// </summary>
internal static class AtomicFile
{
    /// <param name="path">The file to write.</param>
    /// <param name="what">How the one-line error names the file ("checkpoint 'x'", "'x'").</param>
    /// <param name="overwrite">Whether an existing file (one that appeared meanwhile included) is replaced.</param>
    /// <param name="write">Writes the content.</param>
    public static void Write(string path, string what, bool overwrite, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new EngineException($"cannot write {what}: the directory '{directory}' does not exist");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Left for the next run's debris cleanup.
            }
            throw new EngineException($"cannot write {what}: {e.Message}");
        }
    }
}
