namespace IlgpuLstm.Engine.Data;

/// <summary>One named corpus of corpora/manifest.json.</summary>
internal sealed record CorpusEntry(string Name, string Description, string Url, string Sha256, string LineEndings,
    string Licence);
