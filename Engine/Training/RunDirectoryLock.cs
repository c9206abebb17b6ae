using System.Text.RegularExpressions;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// One run per checkpoint directory: an exclusive advisory lock on <c>DIR/.lock</c>, taken before
/// the run writes anything and held until it is disposed. The operating system releases it when
/// the process ends in any way (kill -9 included), so a stale lock never blocks the next run.
/// .NET takes the lock itself for a file opened with <see cref="FileShare.None"/> (flock on Unix,
/// a sharing lock on Windows); on Linux the refusal names the holder, found through /proc.
/// </summary>
internal sealed partial class RunDirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the run directory.</summary>
    public const string FileName = ".lock";

    private readonly FileStream stream;
    private readonly bool created;

    private RunDirectoryLock(FileStream stream, string directory, bool created)
    {
        this.stream = stream;
        this.created = created;
        Directory = directory;
    }

    /// <summary>The locked directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and locks it, or refuses: another process
    /// holds it (<see cref="EngineException"/> naming that process) or it cannot be written.
    /// </summary>
    public static RunDirectoryLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            bool created = !System.IO.Directory.Exists(directory);
            System.IO.Directory.CreateDirectory(directory);
            return new RunDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), directory, created);
        }
        catch (IOException e) when (File.Exists(path) && IsSharingViolation(e))
        {
            throw new EngineException($"'{directory}' is in use by {Holder(path) ?? "another process"}, which is training " +
                "into it; wait for it to finish, stop it, or train into another directory");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"checkpoint directory '{directory}' is not writable: {e.Message}");
        }
    }

    /// <summary>
    /// Removes the temporary files (<c>.NAME.PID.tmp</c>, as checkpoint and export writers name them)
    /// that processes which no longer exist left in the directory when they were killed mid-write.
    /// Call it while holding the lock. Returns the names removed.
    /// </summary>
    public IReadOnlyList<string> RemoveDebris()
    {
        var removed = new List<string>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, ".*.tmp"))
        {
            var match = TemporaryName().Match(Path.GetFileName(file));
            if (!match.Success || !int.TryParse(match.Groups[1].Value, out int pid)) continue;
            if (pid == Environment.ProcessId || ProcessExists(pid)) continue;
            try
            {
                File.Delete(file);
                removed.Add(Path.GetFileName(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next start; it harms nothing meanwhile.
            }
        }
        return removed;
    }

    /// <summary>
    /// Releases the lock. A directory this lock created and nothing else wrote to (a run refused or
    /// failed before its first report) is removed with its lock file, so a refusal leaves nothing behind.
    /// </summary>
    public void Dispose()
    {
        bool unused = created && System.IO.Directory.EnumerateFileSystemEntries(Directory)
            .All(e => Path.GetFileName(e) == FileName || (File.Exists(e) && new FileInfo(e).Length == 0));
        if (unused)
        {
            try
            {
                // Deleted while still held, so no other start can have written into the directory meanwhile.
                foreach (var entry in System.IO.Directory.EnumerateFiles(Directory)) File.Delete(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unused = false;
            }
        }
        stream.Dispose();
        if (!unused) return;
        try
        {
            System.IO.Directory.Delete(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another start took the directory meanwhile; it is that run's now.
        }
    }

    [GeneratedRegex(@"^\..+\.(\d+)\.tmp$")]
    private static partial Regex TemporaryName();

    private static bool ProcessExists(int pid)
    {
        if (OperatingSystem.IsLinux()) return System.IO.Directory.Exists($"/proc/{pid}");
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsSharingViolation(IOException e) =>
        // EWOULDBLOCK from flock on Linux (11), ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows.
        (e.HResult & 0xFFFF) is 11 or 32 or 33 || e.Message.Contains("being used by another process", StringComparison.Ordinal);

    /// <summary>"process 1234 (ilgpu-lstm train ...)": a process with the file open under an exclusive flock, from /proc.</summary>
    private static string? Holder(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            string full = Path.GetFullPath(path);
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 5 || fields[1] != "FLOCK" || fields[3] != "WRITE" || !int.TryParse(fields[4], out int pid)) continue;
                string fds = $"/proc/{pid}/fd";
                if (!System.IO.Directory.Exists(fds)) continue;
                foreach (var fd in System.IO.Directory.EnumerateFileSystemEntries(fds))
                    if (new FileInfo(fd).LinkTarget == full)
                        return $"process {pid}{CommandLine(pid)}";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            var words = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            // "dotnet ilgpu-lstm.dll train ..." reads better as "ilgpu-lstm train ...".
            var shown = words.SkipWhile(w => !w.Contains("ilgpu-lstm", StringComparison.Ordinal)).ToList();
            if (shown.Count == 0) shown = [.. words];
            if (shown.Count > 0) shown[0] = Path.GetFileNameWithoutExtension(shown[0]);
            string text = string.Join(' ', shown);
            return text.Length == 0 ? "" : $" ({(text.Length > 80 ? text[..77] + "..." : text)})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
