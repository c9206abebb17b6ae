using System.Text.Json;
using System.Text.Json.Serialization;

namespace IlgpuLstm.Engine.Checkpoints;

/// <summary>
/// The <c>options</c> entry every checkpoint of a run carries: the preset it started from, its
/// training options and the checkpoint it was fine-tuned from. One writer and one reader for
/// training, resume, evaluation and inspect; the JSON names are those of earlier checkpoints.
/// </summary>
internal sealed record RunOptionsMetadata(
    [property: JsonPropertyName("preset")] string? Preset,
    [property: JsonPropertyName("trainConfig")] TrainingOptions? TrainConfig,
    [property: JsonPropertyName("initFrom")] string? InitFrom)
{
    public const string Key = "options";

    public string Serialize() => JsonSerializer.Serialize(this);

    /// <summary>The entry of a checkpoint's metadata, or null when it has none or it does not parse.</summary>
    public static RunOptionsMetadata? Read(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(Key, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunOptionsMetadata>(json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
