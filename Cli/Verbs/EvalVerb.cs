using System.Globalization;
using CommandLine;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

[Verb("eval", HelpText = "Validation loss and bits per character of a checkpoint on a corpus's validation split.")]
public sealed class EvalOptions
{
    [CommandLine.Text.Usage(ApplicationAlias = "ilgpu-lstm")]
    public static IEnumerable<CommandLine.Text.Example> Examples => [new("the validation loss of a run's best model over the whole split", new EvalOptions { Checkpoint = "checkpoints/anna-lstm-128x2/best.safetensors" })];

    [Option("checkpoint", Required = true, HelpText = "A .safetensors checkpoint.")]
    public string Checkpoint { get; set; } = "";

    [Option("corpus", HelpText = "Corpus name or path (default: the one the checkpoint was trained on).")]
    public string? Corpus { get; set; }

    [Option("val-frac", Default = 0.1, HelpText = "The validation split: this fraction at the end of the corpus.")]
    public double ValFrac { get; set; }

    [Option("batch-size", Default = 128, HelpText = "Sequences per batch.")]
    public int BatchSize { get; set; }

    [Option("seq-length", Default = 100, HelpText = "Characters per sequence.")]
    public int SeqLength { get; set; }

    [Option("batches", Default = 0, HelpText = "Evaluate only the first N batches (0: the whole split).")]
    public int Batches { get; set; }

    [Option("accelerator", Default = AcceleratorKind.Auto, HelpText = AcceleratorNames.Help)]
    public AcceleratorKind Accelerator { get; set; }
}

public static class EvalVerb
{
    public static int Run(EvalOptions o, TextWriter output)
    {
        var loaded = ModelCheckpoint.Load(o.Checkpoint);
        string corpusName = o.Corpus ?? loaded.Get("corpus")
            ?? throw new EngineException($"checkpoint '{o.Checkpoint}' does not say its corpus; give --corpus");
        if (!(o.ValFrac > 0 && o.ValFrac < 1)) throw new UsageException($"--val-frac must be in (0, 1), got {o.ValFrac}");
        if (o.Batches < 0) throw new UsageException($"--batches must be 0 (all) or positive, got {o.Batches}");
        var (path, name) = CorpusResolver.FromEnvironment().Resolve(corpusName);
        var corpus = CorpusReader.Read(path, name, loaded.Vocabulary);
        var (_, validation) = corpus.Split(o.ValFrac);
        var batches = new CharBatches(validation, o.BatchSize, o.SeqLength, "validation");
        using var device = ComputeDevice.Open(o.Accelerator);
        using var model = new CharRnn(device, loaded.Config);
        model.Store.Upload(loaded.Parameters);
        double loss = Evaluator.MeanLoss(model, batches, maxBatches: o.Batches);
        int used = o.Batches > 0 ? Math.Min(o.Batches, batches.Count) : batches.Count;
        output.WriteLine($"{name} validation ({used} batches of {o.BatchSize} x {o.SeqLength}): " +
            $"loss {loss.ToString("F4", CultureInfo.InvariantCulture)}, " +
            $"{(loss / Math.Log(2)).ToString("F4", CultureInfo.InvariantCulture)} bits per character");
        return ExitCodes.Success;
    }
}
