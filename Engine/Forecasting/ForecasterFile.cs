using System.Text.Json;
using IlgpuLstm.Engine.Checkpoints;

namespace IlgpuLstm.Engine.Forecasting;

/// <summary>A forecaster checkpoint read without a device: its options, scaling, columns, tensors and metadata.</summary>
internal sealed record ForecasterFile(ForecastOptions Options, SeriesScaling Scaling, string Target, IReadOnlyList<string> Inputs,
    IReadOnlyDictionary<string, float[]> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    public static bool IsForecaster(string path) =>
        File.Exists(path) && SafetensorsFile.Open(path).Metadata.GetValueOrDefault("format") == TimeSeriesForecaster.Format;

    public static ForecasterFile Read(string path)
    {
        var file = SafetensorsFile.Open(path);
        if (file.Metadata.GetValueOrDefault("format") != TimeSeriesForecaster.Format)
            throw new EngineException($"'{path}' is not a forecaster checkpoint (format '{file.Metadata.GetValueOrDefault("format") ?? "none"}'); " +
                "character models are sampled with 'sample'");
        try
        {
            var options = JsonSerializer.Deserialize<ForecastOptions>(file.Metadata["options"])!;
            var scaling = SeriesScaling.Deserialize(file.Metadata["scaling"]);
            var inputs = JsonSerializer.Deserialize<List<string>>(file.Metadata["inputs"])!;
            var tensors = file.Tensors.Keys.ToDictionary(name => name, file.ReadFloat32, StringComparer.Ordinal);
            return new ForecasterFile(options, scaling, file.Metadata.GetValueOrDefault("target") ?? "target", inputs, tensors, file.Metadata);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or NullReferenceException)
        {
            throw new EngineException($"forecaster checkpoint '{path}' has unreadable metadata: {e.Message}");
        }
    }
}
