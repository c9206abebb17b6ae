using CommandLine;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Sampling;

namespace IlgpuLstm.Cli.Verbs;

[Verb("sample", HelpText = "Generate text from a checkpoint (the lesson's sample(): prime, then top-k draws).")]
public sealed class SampleOptions
{
    [Option("checkpoint", Required = true, HelpText = "A .safetensors checkpoint (ours, or a PyTorch export with a 'vocab' entry).")]
    public string Checkpoint { get; set; } = "";

    [Option("prime", HelpText = "Text to start from (default 'The').")]
    public string? Prime { get; set; }

    [Option("prime-file", HelpText = "Read the prime text from a UTF-8 file.")]
    public string? PrimeFile { get; set; }

    [Option("length", Default = 1000, HelpText = "Characters to generate after the first predicted one.")]
    public int Length { get; set; }

    [Option("top-k", HelpText = "Draw among the k most probable characters (renormalised); default: all.")]
    public int? TopK { get; set; }

    [Option("temperature", Default = 1.0, HelpText = "Divide the logits by this before the softmax (lower: more conservative).")]
    public double Temperature { get; set; }

    [Option("argmax", HelpText = "Always take the most probable character.")]
    public bool Argmax { get; set; }

    [Option("seed", Default = 1UL, HelpText = "Seed of the draws: the same seed gives the same text.")]
    public ulong Seed { get; set; }

    [Option("accelerator", Default = AcceleratorKind.Auto, HelpText = AcceleratorNames.Help)]
    public AcceleratorKind Accelerator { get; set; }
}

public static class SampleVerb
{
    public static int Run(SampleOptions o, TextWriter output)
    {
        if (o.Prime != null && o.PrimeFile != null) throw new EngineException("give --prime or --prime-file, not both");
        string prime = o.PrimeFile != null ? Engine.Data.TextFile.Read(o.PrimeFile, "prime file") : o.Prime ?? "The";
        var loaded = ModelCheckpoint.Load(o.Checkpoint);
        var options = new SamplingOptions(o.Length, o.TopK, o.Temperature, o.Argmax, o.Seed);
        options.Validate(loaded.Vocabulary.Count);
        loaded.Vocabulary.Encode(prime, "the prime text"); // refuse unknown characters before opening a device
        using var device = ComputeDevice.Open(o.Accelerator);
        using var model = new CharRnn(device, loaded.Config);
        model.Store.Upload(loaded.Parameters);
        new Sampler(model, loaded.Vocabulary).Sample(prime, options, s =>
        {
            output.Write(s);
            output.Flush();
        });
        output.WriteLine();
        return ExitCodes.Success;
    }
}
