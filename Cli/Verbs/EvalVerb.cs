using System.Globalization;
using CommandLine;

namespace IlgpuLstm.Cli.Verbs;

[Verb("eval", HelpText = "Validation loss and bits per character of a checkpoint on a corpus's validation split.")]
internal sealed class EvalOptions : DeviceFlags
{
    [Option("checkpoint", Required = true, HelpText = "A .safetensors checkpoint.")]
    public string Checkpoint { get; set; } = "";

    [Option("corpus", HelpText = "Corpus name or path (default: the one the checkpoint was trained on).")]
    public string? Corpus { get; set; }

    [Option("val-frac", HelpText = "The validation split: this fraction at the end of the corpus (default: the checkpoint's, else 0.1).")]
    public double? ValFrac { get; set; }

    [Option("batch-size", HelpText = "Sequences per batch (default: the checkpoint's, else 128).")]
    public int? BatchSize { get; set; }

    [Option("seq-length", HelpText = "Characters per sequence (default: the checkpoint's, else 100).")]
    public int? SeqLength { get; set; }

    [Option("batches", HelpText = "Evaluate only the first N batches (0: the whole split; default: as many as training validated on).")]
    public int? Batches { get; set; }
}

/// <summary><c>eval</c>: <see cref="CharModel.Evaluate"/> with the given flags, the rest as the model was trained.</summary>
internal static class EvalVerb
{
    public static int Run(EvalOptions o, TextWriter output)
    {
        using var device = ComputeDevice.Open(o.Accelerator);
        using var model = CharModel.Load(o.Checkpoint, device);
        var r = model.Evaluate(new EvaluationOptions
        {
            Corpus = o.Corpus,
            ValFrac = o.ValFrac,
            BatchSize = o.BatchSize,
            SeqLength = o.SeqLength,
            Batches = o.Batches,
        });
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        string split = r.ValFrac.ToString(CultureInfo.InvariantCulture);
        output.WriteLine($"{r.Corpus} validation ({r.BatchesUsed} batch{(r.BatchesUsed == 1 ? "" : "es")} of {r.BatchSize} x {r.SeqLength}, " +
            $"last {split} of the corpus{(r.FromTraining ? ", as trained" : "")}): loss {F(r.Loss)}, {F(r.BitsPerCharacter)} bits per character");
        if (r.BatchesRequested > r.BatchesAvailable)
            output.WriteLine(o.Batches is null
                ? $"note: training validated on {r.BatchesRequested} batches; this split holds {r.BatchesAvailable}, so all {r.BatchesAvailable} were used"
                : $"note: {r.BatchesRequested} batches asked for; the split holds {r.BatchesAvailable}, so all {r.BatchesAvailable} were used");
        return ExitCodes.Success;
    }
}
