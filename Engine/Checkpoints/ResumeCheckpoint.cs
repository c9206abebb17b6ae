using System.Text.Json;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Engine.Checkpoints;

/// <summary>What <c>resume.safetensors</c> restores.</summary>
internal sealed record ResumePoint(LoadedModel Model, float[] Moment1, float[] Moment2, float[] HiddenH, float[]? HiddenC,
    TrainingPosition Position, TrainingOptions Config, string Corpus, string CorpusSha256);

/// <summary>
/// Everything <c>train --resume</c> needs in one file, written atomically like every checkpoint:
/// the weights under PyTorch's names, the optimizer moments (<c>optimizer.moment1</c>/<c>moment2</c>,
/// flat in parameter order), the carried hidden state (<c>state.h</c>, <c>state.c</c>), and in the
/// metadata the vocabulary, architecture, training options, corpus checksum and position.
/// It is a separate file so that <c>latest.safetensors</c> stays loadable by PyTorch's strict
/// <c>load_state_dict</c>.
/// </summary>
internal static class ResumeCheckpoint
{
    public const string Format = "ilgpu-lstm-resume/1";

    public static void Save(string path, CharRnn model, Vocabulary vocabulary, RecurrentState state,
        TrainingPosition position, TrainingOptions config, string corpus, string corpusSha256,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var tensors = ModelCheckpoint.Tensors(model);
        long count = model.Store.Count;
        tensors.Add(("optimizer.moment1", [count], model.Store.DownloadMoment(1)));
        tensors.Add(("optimizer.moment2", [count], model.Store.DownloadMoment(2)));
        long[] stateShape = [state.Layers, state.Batch, state.Hidden];
        tensors.Add(("state.h", stateShape, state.DownloadH()));
        if (state.HasCell) tensors.Add(("state.c", stateShape, state.DownloadC()!));
        var metadata = new Dictionary<string, string>(extra ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in ModelCheckpoint.Describe(model, vocabulary, Format)) metadata[key] = value;
        metadata["corpus"] = corpus;
        metadata["corpus_sha256"] = corpusSha256;
        metadata["train_config"] = JsonSerializer.Serialize(config);
        metadata["position"] = JsonSerializer.Serialize(position);
        SafetensorsFile.Write(path, metadata, tensors);
    }

    /// <summary>Tensors of a resume file that are not the model's weights.</summary>
    public static bool NotTheModel(string name) =>
        name.StartsWith("optimizer.", StringComparison.Ordinal) || name.StartsWith("state.", StringComparison.Ordinal);

    /// <summary>What a resume file says about its run, from its header alone (no weights, moments or state read).</summary>
    public static (ModelConfig Model, TrainingOptions Config, TrainingPosition Position, string Corpus) ReadHeader(string path)
    {
        var file = OpenResume(path);
        var (model, _, _) = ModelCheckpoint.Header(path, file, NotTheModel);
        var (config, position) = RunOf(path, file);
        return (model, config, position, CorpusOf(path, file));
    }

    private static SafetensorsFile OpenResume(string path)
    {
        var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new EngineException($"'{path}' is not a resume checkpoint (format '{format ?? "none"}', expected '{Format}')");
        return file;
    }

    private static (TrainingOptions Config, TrainingPosition Position) RunOf(string path, SafetensorsFile file)
    {
        try
        {
            return (JsonSerializer.Deserialize<TrainingOptions>(file.Metadata["train_config"]) ?? throw new JsonException("null"),
                JsonSerializer.Deserialize<TrainingPosition>(file.Metadata["position"]) ?? throw new JsonException("null"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or NotSupportedException)
        {
            throw new EngineException($"resume checkpoint '{path}' has missing or malformed train_config/position metadata");
        }
    }

    private static string CorpusOf(string path, SafetensorsFile file) =>
        file.Metadata.GetValueOrDefault("corpus") ?? throw new EngineException($"resume checkpoint '{path}' does not name its corpus");

    public static ResumePoint Load(string path)
    {
        var file = OpenResume(path);
        var model = ModelCheckpoint.LoadFrom(path, file, NotTheModel);
        var (config, position) = RunOf(path, file);
        var m1 = file.ReadFloat32("optimizer.moment1");
        var m2 = file.ReadFloat32("optimizer.moment2");
        if (m1.Length != model.Parameters.Length || m2.Length != model.Parameters.Length)
            throw new EngineException($"resume checkpoint '{path}': optimizer moments do not match the {model.Parameters.Length} parameters");
        var h = file.ReadFloat32("state.h");
        var cState = file.Tensors.ContainsKey("state.c") ? file.ReadFloat32("state.c") : null;
        long stateLength = (long)model.Config.NumLayers * config.BatchSize * model.Config.HiddenSize;
        if (h.Length != stateLength || (cState != null && cState.Length != stateLength) ||
            (model.Config.Cell == CellKind.Lstm) != (cState != null))
            throw new EngineException($"resume checkpoint '{path}': carried state does not match (layers, batch, hidden)");
        return new ResumePoint(model, m1, m2, h, cState, position, config,
            CorpusOf(path, file),
            file.Metadata.GetValueOrDefault("corpus_sha256") ?? "");
    }
}
