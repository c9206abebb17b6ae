using System.Globalization;
using System.Text.Json;
using CommandLine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Verbs;

[Verb("inspect", HelpText = "Print a checkpoint's architecture, vocabulary, progress and options (char-rnn's inspect_checkpoint).")]
internal sealed class InspectOptions
{
    [Option("checkpoint", Required = true, HelpText = "A .safetensors checkpoint (latest, best or resume).")]
    public string Checkpoint { get; set; } = "";

    [Option("json", HelpText = "Print the metadata as JSON (for scripts) instead of a table.")]
    public bool Json { get; set; }
}

internal static class InspectVerb
{
    public static int Run(InspectOptions o, TextWriter output)
    {
        var model = ModelCheckpoint.Load(o.Checkpoint);
        var c = model.Config;
        if (o.Json)
        {
            var doc = new Dictionary<string, object?>
            {
                ["checkpoint"] = o.Checkpoint,
                ["cell"] = c.Cell.ModuleName(),
                ["hidden_size"] = c.HiddenSize,
                ["num_layers"] = c.NumLayers,
                ["dropout"] = c.Dropout,
                ["parameters"] = model.Parameters.Length,
                ["vocabulary"] = model.Vocabulary.Symbols,
                ["metadata"] = Keys.Where(k => model.Get(k) != null).ToDictionary(k => k, k => Styled(Parsed(model.Get(k)!))),
            };
            // One style, as metrics.jsonl: snake_case names, enums by name, characters as they are.
            output.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions
            {
                WriteIndented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }));
            return ExitCodes.Success;
        }
        var table = new MarkdownTable("field", "value");
        table.Add("checkpoint", o.Checkpoint);
        table.Add("format", model.Get("format") ?? "none: a PyTorch export");
        table.Add("model", $"{c.Cell.ModuleName()} {c.HiddenSize}x{c.NumLayers}, dropout {c.Dropout.ToString(CultureInfo.InvariantCulture)}, " +
            $"{model.Parameters.Length:N0} parameters");
        if (model.Get("corpus") is { } corpus) table.Add("corpus", corpus);
        if (model.Get("step") is { } step) table.Add("step", $"{step} (epoch {model.Get("epoch") ?? "?"})");
        if (model.Get("train_loss") is { } train) table.Add("train loss", Loss(train));
        if (model.Get("val_loss") is { } val) table.Add("validation loss", Loss(val));
        if (model.Get("created") is { } created) table.Add("run started", created);
        if (model.Get("resumed") is { } resumed) table.Add("last resumed", resumed);
        if (model.Get(RunOptionsMetadata.Key) is { } options) Options(table, options, RunOptionsMetadata.Read(model.Metadata));
        if (model.Get("position") is { } position) Position(table, position);
        output.Write(table);
        output.WriteLine($"vocabulary ({model.Vocabulary.Count} symbols): " +
            string.Join(" ", model.Vocabulary.Symbols.Select(Vocabulary.Quote)));
        return ExitCodes.Success;
    }

    private static readonly string[] Keys =
        ["format", "corpus", "step", "epoch", "train_loss", "val_loss", "created", "resumed", "options", "position"];

    /// <summary>
    /// Stored metadata JSON (written by .NET's default naming: trainConfig, BatchSize, Kind 0) in
    /// the output's style: snake_case names and the optimizer kind by name.
    /// </summary>
    private static object? Styled(object value)
    {
        if (value is not JsonElement e) return value;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var o = new Dictionary<string, object?>();
                foreach (var p in e.EnumerateObject())
                {
                    string name = JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);
                    o[name] = name == "kind" && p.Value.ValueKind == JsonValueKind.Number
                        ? ((OptimizerKind)p.Value.GetInt32()).ToString().ToLowerInvariant()
                        : Styled(p.Value);
                }
                return o;
            case JsonValueKind.Array:
                return e.EnumerateArray().Select(x => Styled(x)).ToList();
            default:
                return e.Clone();
        }
    }

    private static string Loss(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
        ? $"{v.ToString("F4", CultureInfo.InvariantCulture)} ({(v / Math.Log(2)).ToString("F3", CultureInfo.InvariantCulture)} bits/char)"
        : text;

    /// <summary>The run's training options, one readable row each, from the JSON the trainer stored.</summary>
    private static void Options(MarkdownTable table, string json, RunOptionsMetadata? run)
    {
        if (run is null)
        {
            table.Add("options", json);
            return;
        }
        if (run.Preset != null) table.Add("preset", run.Preset);
        if (run.TrainConfig is { } t)
        {
            string F(double v) => v.ToString(CultureInfo.InvariantCulture);
            table.Add("training", $"batch {t.BatchSize} x seq {t.SeqLength}, {t.Epochs} epochs, " +
                $"{t.Optimizer.Kind.ToString().ToLowerInvariant()} lr {F(t.Optimizer.LearningRate)}, clip {F(t.GradClip)}, seed {t.Seed}");
        }
        if (run.InitFrom != null) table.Add("fine-tuned from", run.InitFrom);
    }

    /// <summary>Where a resume file continues: the next batch, steps so far and the run's training time.</summary>
    private static void Position(MarkdownTable table, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var p = doc.RootElement;
            double seconds = p.TryGetProperty("ElapsedSeconds", out var e) ? e.GetDouble() : 0;
            table.Add("resumes at", $"epoch {p.GetProperty("Epoch")}, batch {p.GetProperty("BatchIndex")} " +
                $"(step {p.GetProperty("Step")} done, {TimeSpan.FromSeconds(Math.Round(seconds)):c} of training)");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            table.Add("position", json);
        }
    }

    private static object Parsed(string value)
    {
        try
        {
            return JsonDocument.Parse(value).RootElement.Clone();
        }
        catch (JsonException)
        {
            return value;
        }
    }
}
