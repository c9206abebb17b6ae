using System.Security.Cryptography;

namespace IlgpuLstm.Engine.Data;

/// <summary>
/// Turns <c>--corpus NAME|PATH</c> into a file. A manifest name is looked up, in order, in the
/// directories of <c>ILGPU_LSTM_CORPORA</c>, then the user cache, then downloaded from the
/// manifest's URL into the cache; its sha256 must match the manifest. Anything else is a path.
/// </summary>
internal sealed class CorpusResolver(string? searchPath, string cacheDirectory, Func<string, byte[]>? download = null)
{
    public const string Variable = "ILGPU_LSTM_CORPORA";

    public static CorpusResolver FromEnvironment() =>
        new(Environment.GetEnvironmentVariable(Variable), Path.Combine(CacheRoot(), "corpora"));

    public static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "ilgpu-lstm");
    }

    /// <summary>The file to read and the corpus's display name.</summary>
    public (string Path, string Name) Resolve(string corpus)
    {
        var entry = CorpusManifest.Find(corpus);
        if (entry == null)
        {
            if (File.Exists(corpus) || corpus.Contains('/') || corpus.Contains('\\') || corpus.Contains('.'))
                return (corpus, System.IO.Path.GetFileNameWithoutExtension(corpus));
            throw new EngineException($"unknown corpus '{corpus}': not a file, and not a name in the manifest " +
                $"({string.Join(", ", CorpusManifest.Entries.Select(e => e.Name))})" +
                Spelling.Suggest(corpus, CorpusManifest.Entries.Select(e => e.Name), ""));
        }
        var fileName = entry.Name + ".txt";
        var searched = new List<string>();
        foreach (var dir in (searchPath ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, fileName);
            if (File.Exists(candidate)) return (Verified(candidate, entry), entry.Name);
            searched.Add(Directory.Exists(dir) ? candidate : $"{candidate} (no directory '{dir}')");
        }
        var cached = System.IO.Path.Combine(cacheDirectory, fileName);
        if (File.Exists(cached)) return (Verified(cached, entry), entry.Name);
        searched.Add(cached + " (the cache)");
        return (Download(entry, cached, searched), entry.Name);
    }

    private static string Verified(string path, CorpusEntry entry)
    {
        using var stream = File.OpenRead(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (hash != entry.Sha256)
            throw new EngineException($"corpus file '{path}' has sha256 {hash}, but the manifest says {entry.Sha256} for '{entry.Name}'; " +
                "remove or replace the file");
        return path;
    }

    private string Download(CorpusEntry entry, string target, List<string> searched)
    {
        byte[] bytes;
        try
        {
            bytes = (download ?? HttpDownload)(entry.Url);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            string where = searchPath is null ? $"{Variable} is not set; looked in " : $"looked in ";
            throw new EngineException($"corpus '{entry.Name}' was not found and could not be downloaded from {entry.Url} " +
                $"({e.Message}); {where}{string.Join(", ", searched)}. Put {entry.Name}.txt in a directory listed in " +
                $"{Variable} (':'-separated) or in the cache, or give the file's path as Corpus");
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (hash != entry.Sha256)
            throw new EngineException($"download of corpus '{entry.Name}' from {entry.Url} has sha256 {hash}, expected {entry.Sha256}");
        Directory.CreateDirectory(cacheDirectory);
        var temporary = target + ".part";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, target, overwrite: true);
        return target;
    }

    private static byte[] HttpDownload(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        return client.GetByteArrayAsync(new Uri(url)).GetAwaiter().GetResult();
    }
}
