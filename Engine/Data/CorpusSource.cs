namespace IlgpuLstm.Engine.Data;

/// <summary>
/// Where a run's text comes from: a corpus file (a manifest name resolved, or a path) or a text
/// given in memory. <see cref="Spec"/> is what checkpoints record so that eval and resume find it
/// again: the manifest name, the file's absolute path, or <c>memory:NAME</c> for a text only the
/// caller holds, which they must give again.
/// </summary>
internal sealed class CorpusSource
{
    public const string MemoryPrefix = "memory:";

    private readonly string? path;
    private readonly byte[]? utf8;

    private CorpusSource(string spec, string name, string? path, byte[]? utf8)
    {
        Spec = spec;
        Name = name;
        this.path = path;
        this.utf8 = utf8;
    }

    public string Spec { get; }
    public string Name { get; }

    /// <summary>The file, or null for a text in memory.</summary>
    public string? Path => path;

    /// <summary>A manifest name or a path, resolved now (a missing manifest corpus is looked for and downloaded here).</summary>
    public static CorpusSource Of(string spec)
    {
        var (path, name) = CorpusResolver.FromEnvironment().Resolve(spec);
        return new CorpusSource(CorpusManifest.Find(spec) is null ? System.IO.Path.GetFullPath(path) : spec, name, path, null);
    }

    public static CorpusSource Of(TrainingText text) => new(MemoryPrefix + text.Name, text.Name, null, text.Utf8);

    /// <summary>Whether a checkpoint's recorded corpus was a text given in memory (and so cannot be read again without the caller).</summary>
    public static bool IsMemory(string spec) => spec.StartsWith(MemoryPrefix, StringComparison.Ordinal);

    public EncodedCorpus Read(Vocabulary? vocabulary = null) =>
        path != null ? CorpusReader.Read(path, Name, vocabulary) : CorpusReader.Read(utf8!, Name, Name, vocabulary);

    /// <summary>The sha256 of the bytes, as <see cref="Read"/> records it.</summary>
    public string Sha256() => path != null
        ? CorpusReader.Sha256Of(path)
        : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(utf8!));
}
