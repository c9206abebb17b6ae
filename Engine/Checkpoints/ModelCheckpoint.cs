using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Tensors;

namespace IlgpuLstm.Engine.Checkpoints;

/// <summary>
/// Character-model checkpoints as safetensors that PyTorch's <c>load_state_dict</c> reads: float32
/// tensors under PyTorch's names and shapes, plus <c>__metadata__</c> with the format version,
/// vocabulary (a JSON array of one-character strings in index order), architecture, training
/// options and progress. Loading infers the architecture from the tensors, so a file exported from
/// PyTorch with a <c>vocab</c> entry loads too; metadata that disagrees with them is refused.
/// </summary>
internal static class ModelCheckpoint
{
    public const string Format = "ilgpu-lstm/1";

    public static void Save(string path, CharRnn model, Vocabulary vocabulary, IReadOnlyDictionary<string, string> extra) =>
        SafetensorsFile.Write(path, WithDescription(model, vocabulary, extra), Tensors(model));

    /// <summary>The bytes <see cref="Save(string, CharRnn, Vocabulary, IReadOnlyDictionary{string, string})"/> writes, onto a stream.</summary>
    public static void Save(Stream stream, CharRnn model, Vocabulary vocabulary, IReadOnlyDictionary<string, string> extra) =>
        SafetensorsFile.Write(stream, WithDescription(model, vocabulary, extra), Tensors(model));

    private static Dictionary<string, string> WithDescription(CharRnn model, Vocabulary vocabulary, IReadOnlyDictionary<string, string> extra)
    {
        var metadata = new Dictionary<string, string>(extra, StringComparer.Ordinal);
        foreach (var (key, value) in Describe(model, vocabulary, Format)) metadata[key] = value;
        return metadata;
    }

    /// <summary>The model's weights as (PyTorch name, shape, values), in state_dict order (one download).</summary>
    public static List<(string Name, long[] Shape, float[] Data)> Tensors(CharRnn model) => Tensors(model.Layout, model.Store.Download());

    /// <summary>A flat parameter array cut into its layout's named tensors.</summary>
    public static List<(string Name, long[] Shape, float[] Data)> Tensors(Tensors.ParameterLayout layout, float[] values) =>
        layout.Specs
            .Select(s => (s.Name, s.Shape.Select(d => (long)d).ToArray(), values.AsSpan((int)s.Offset, (int)s.Length).ToArray()))
            .ToList();

    /// <summary>The metadata every checkpoint of ours carries: format, vocabulary and architecture.</summary>
    public static Dictionary<string, string> Describe(CharRnn model, Vocabulary vocabulary, string format)
    {
        var c = model.Config;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = format,
            ["vocab"] = JsonSerializer.Serialize(vocabulary.Symbols),
            ["cell"] = c.Cell.ModuleName(),
            ["vocab_size"] = Invariant(c.VocabSize),
            ["hidden_size"] = Invariant(c.HiddenSize),
            ["num_layers"] = Invariant(c.NumLayers),
            ["dropout"] = c.Dropout.ToString("R", CultureInfo.InvariantCulture),
        };
    }

    public static LoadedModel Load(string path)
    {
        var file = OpenModel(path, SafetensorsFile.Open(path), out var ignore);
        return LoadFrom(path, file, ignore);
    }

    /// <summary>A checkpoint's bytes in memory; <paramref name="label"/> names it in messages.</summary>
    public static LoadedModel Load(byte[] bytes, string label)
    {
        var file = OpenModel(label, SafetensorsFile.FromBytes(bytes, label), out var ignore);
        return LoadFrom(label, file, ignore);
    }

    /// <summary>
    /// A checkpoint's architecture, vocabulary and metadata from its header alone, checked as
    /// <see cref="Load(string)"/> checks them, without reading a weight.
    /// </summary>
    public static (ModelConfig Config, Vocabulary Vocabulary, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path)
    {
        var file = OpenModel(path, SafetensorsFile.Open(path), out var ignore);
        return Header(path, file, ignore);
    }

    /// <summary>
    /// Opens a checkpoint's header. Another version of ours is refused by name; any other format
    /// value ("pt", what common exporters write) is a foreign export, read like one with no format:
    /// by PyTorch's names, shapes and the vocabulary. A resume file's extra tensors are not the model's.
    /// </summary>
    private static SafetensorsFile OpenModel(string path, SafetensorsFile file, out Func<string, bool> ignore)
    {
        if (file.Metadata.TryGetValue("format", out var format) && format != Format && format != ResumeCheckpoint.Format &&
            format.StartsWith("ilgpu-lstm", StringComparison.Ordinal))
            throw new EngineException($"checkpoint '{path}' has format '{format}'; this version reads '{Format}'");
        ignore = format == ResumeCheckpoint.Format ? ResumeCheckpoint.NotTheModel : _ => false;
        return file;
    }

    /// <summary>The architecture and vocabulary of an opened file, its tensor names checked against them.</summary>
    public static (ModelConfig Config, Vocabulary Vocabulary, IReadOnlyDictionary<string, string> Metadata) Header(string path,
        SafetensorsFile file, Func<string, bool> ignore)
    {
        var vocabulary = ReadVocabulary(path, file.Metadata);
        var config = InferConfig(path, file, vocabulary);
        CheckNames(path, file, CharRnn.CreateLayout(config), ignore);
        return (config, vocabulary, file.Metadata);
    }

    /// <summary>The model part of an opened file; tensors for which <paramref name="ignore"/> is true are not the model's.</summary>
    public static LoadedModel LoadFrom(string path, SafetensorsFile file, Func<string, bool> ignore)
    {
        var (config, vocabulary, meta) = Header(path, file, ignore);
        var layout = CharRnn.CreateLayout(config);
        var values = new float[layout.Count];
        foreach (var spec in layout.Specs)
            file.ReadFloat32(spec.Name).CopyTo(values, spec.Offset);
        return new LoadedModel(config, vocabulary, values, meta);
    }

    private static Vocabulary ReadVocabulary(string path, IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue("vocab", out var json))
            throw new EngineException($"checkpoint '{path}' has no 'vocab' metadata (a JSON array of its characters in index order)");
        List<string>? symbols;
        try
        {
            symbols = JsonSerializer.Deserialize<List<string>>(json);
        }
        catch (JsonException)
        {
            throw new EngineException($"checkpoint '{path}' has a malformed 'vocab' metadata entry (not a JSON array of strings)");
        }
        if (symbols == null || symbols.Count == 0 || symbols.Any(s => s is null))
            throw new EngineException($"checkpoint '{path}' has an empty or malformed 'vocab' metadata entry");
        try
        {
            return new Vocabulary(symbols);
        }
        catch (EngineException e)
        {
            throw new EngineException($"checkpoint '{path}': {e.Message}");
        }
    }

    private static ModelConfig InferConfig(string path, SafetensorsFile file, Vocabulary vocabulary)
    {
        var cells = Enum.GetValues<CellKind>().Where(c => file.Tensors.ContainsKey($"{c.ModuleName()}.weight_ih_l0")).ToList();
        if (cells.Count != 1)
            throw new EngineException($"checkpoint '{path}' has {(cells.Count == 0 ? "no" : "more than one")} recurrent module " +
                "(expected exactly one of lstm.weight_ih_l0, gru.weight_ih_l0, rnn.weight_ih_l0)");
        var cell = cells[0];
        var meta = file.Metadata;
        if (meta.TryGetValue("cell", out var metaCell) && metaCell != cell.ModuleName())
            throw new EngineException($"checkpoint '{path}' says cell '{metaCell}' but holds {cell.ModuleName()} tensors");
        string prefix = cell.ModuleName();
        var whh = file.Tensors.GetValueOrDefault($"{prefix}.weight_hh_l0")
            ?? throw new EngineException($"checkpoint '{path}' is missing tensor '{prefix}.weight_hh_l0'");
        if (whh.Shape.Length != 2 || whh.Shape[1] < 1 || whh.Shape[1] > 1 << 16)
            throw new EngineException($"checkpoint '{path}': tensor '{whh.Name}' has shape {whh.ShapeText}, expected ({cell.Gates()}*H, H)");
        int hidden = (int)whh.Shape[1];
        int layers = 0;
        while (file.Tensors.ContainsKey($"{prefix}.weight_ih_l{layers}")) layers++;
        double dropout = 0;
        if (meta.TryGetValue("dropout", out var d) &&
            !double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out dropout))
            throw new EngineException($"checkpoint '{path}' has a malformed 'dropout' metadata entry '{d}'");
        CheckInt(path, meta, "hidden_size", hidden);
        CheckInt(path, meta, "num_layers", layers);
        CheckInt(path, meta, "vocab_size", vocabulary.Count);
        var config = new ModelConfig(cell, vocabulary.Count, hidden, layers, dropout);
        try
        {
            config.Validate();
        }
        catch (OptionOutOfRangeException e)
        {
            throw new EngineException($"checkpoint '{path}': {e.Message}");
        }
        return config;
    }

    private static void CheckInt(string path, IReadOnlyDictionary<string, string> meta, string key, int actual)
    {
        if (!meta.TryGetValue(key, out var text)) return;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new EngineException($"checkpoint '{path}' has a malformed '{key}' metadata entry '{text}'");
        if (value != actual)
            throw new EngineException($"checkpoint '{path}' says {key} {value} but its tensors give {actual}");
    }

    /// <summary>Missing, unexpected and wrong-shaped tensors, all on one line.</summary>
    private static void CheckNames(string path, SafetensorsFile file, ParameterLayout layout, Func<string, bool> ignore)
    {
        var problems = new List<string>();
        var missing = layout.Specs.Where(s => !file.Tensors.ContainsKey(s.Name)).Select(s => s.Name).ToList();
        if (missing.Count > 0) problems.Add("missing " + string.Join(", ", missing));
        var unexpected = file.Tensors.Keys.Where(k => !layout.TryGet(k, out _) && !ignore(k)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0) problems.Add("unexpected " + string.Join(", ", unexpected));
        foreach (var spec in layout.Specs)
            if (file.Tensors.TryGetValue(spec.Name, out var info) &&
                !info.Shape.SequenceEqual(spec.Shape.Select(d => (long)d)))
                problems.Add($"{spec.Name} has shape {info.ShapeText}, expected {spec.ShapeText}");
        if (problems.Count > 0)
            throw new EngineException($"checkpoint '{path}' does not match a {layout.Specs[0].Name.Split('.')[0]} model: " +
                string.Join("; ", problems));
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
