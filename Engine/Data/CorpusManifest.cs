using System.Text.Json;

namespace IlgpuLstm.Engine.Data;

/// <summary>corpora/manifest.json, compiled into the engine so a published binary knows its corpora.</summary>
internal static class CorpusManifest
{
    private static readonly Lazy<IReadOnlyList<CorpusEntry>> entries = new(Load);

    public static IReadOnlyList<CorpusEntry> Entries => entries.Value;

    public static CorpusEntry? Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    private static IReadOnlyList<CorpusEntry> Load()
    {
        using var stream = typeof(CorpusManifest).Assembly.GetManifestResourceStream("corpora.manifest.json")
            ?? throw new InvalidOperationException("corpus manifest missing from the engine assembly");
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("corpora").EnumerateArray().Select(e => new CorpusEntry(
            e.GetProperty("name").GetString()!, e.GetProperty("description").GetString()!,
            e.GetProperty("url").GetString()!, e.GetProperty("sha256").GetString()!,
            e.GetProperty("lineEndings").GetString()!, e.GetProperty("licence").GetString()!)).ToList();
    }
}
