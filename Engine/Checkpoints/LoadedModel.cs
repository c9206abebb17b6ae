using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Checkpoints;

/// <summary>What a checkpoint gives back: the architecture, vocabulary, weights in layout order and metadata.</summary>
internal sealed record LoadedModel(ModelConfig Config, Vocabulary Vocabulary, float[] Parameters,
    IReadOnlyDictionary<string, string> Metadata)
{
    public string? Get(string key) => Metadata.TryGetValue(key, out var v) ? v : null;
}
