using System.Globalization;
using CommandLine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;

namespace IlgpuLstm.Cli.Verbs;

[Verb("inspect", HelpText = "Print a checkpoint's architecture, vocabulary, progress and options (char-rnn's inspect_checkpoint).")]
public sealed class InspectOptions
{
    [Option("checkpoint", Required = true, HelpText = "A .safetensors checkpoint (latest, best or resume).")]
    public string Checkpoint { get; set; } = "";
}

public static class InspectVerb
{
    public static int Run(InspectOptions o, TextWriter output)
    {
        var model = ModelCheckpoint.Load(o.Checkpoint);
        var c = model.Config;
        output.WriteLine($"checkpoint: {o.Checkpoint} ({model.Get("format") ?? "no format entry: a PyTorch export"})");
        output.WriteLine($"model: {c.Cell.ToString().ToLowerInvariant()}, hidden {c.HiddenSize}, layers {c.NumLayers}, " +
            $"dropout {c.Dropout.ToString(CultureInfo.InvariantCulture)}, {model.Parameters.Length:N0} parameters");
        output.WriteLine($"vocabulary: {model.Vocabulary.Count} symbols: " +
            string.Join(" ", model.Vocabulary.Symbols.Take(40).Select(Vocabulary.Quote)) + (model.Vocabulary.Count > 40 ? " ..." : ""));
        foreach (var key in new[] { "corpus", "step", "epoch", "train_loss", "val_loss", "created", "options", "position" })
            if (model.Get(key) is { } value)
                output.WriteLine($"{key}: {value}");
        return ExitCodes.Success;
    }
}
