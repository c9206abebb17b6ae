using CommandLine;
using IlgpuLstm.Engine;

namespace IlgpuLstm.Cli.Verbs;

[Verb("sample", HelpText = "Generate text from a checkpoint (the lesson's sample(): prime, then top-k draws).")]
internal sealed class SampleOptions : SeededDeviceFlags
{
    [Option("checkpoint", Required = true, HelpText = "A .safetensors checkpoint (ours, or a PyTorch export with a 'vocab' entry).")]
    public string Checkpoint { get; set; } = "";

    [Option("prime", HelpText = "Text to start from (default 'The').")]
    public string? Prime { get; set; }

    [Option("prime-file", HelpText = "Read the prime text from a UTF-8 file.")]
    public string? PrimeFile { get; set; }

    [Option("length", HelpText = "Characters to generate after the first predicted one (default 1000).")]
    public int Length { get; set; } = 1000;

    [Option("top-k", HelpText = "Draw among the k most probable characters (renormalised); default: all.")]
    public int? TopK { get; set; }

    [Option("top-p", HelpText = "Nucleus sampling: draw among the most probable characters whose probabilities sum to at least p, in (0, 1]; default: off.")]
    public double? TopP { get; set; }

    [Option("temperature", HelpText = "Divide the logits by this before the softmax (lower: more conservative) (default 1.0).")]
    public double Temperature { get; set; } = 1.0;

    [Option("argmax", HelpText = "Always take the most probable character.")]
    public bool Argmax { get; set; }

    [Option("count", HelpText = "How many samples; sample i (from 0) draws with seed + i (default 1).")]
    public int Count { get; set; } = 1;

    [Option("out", HelpText = "Also write the samples to this file (refused if it exists).")]
    public string? Out { get; set; }
}

/// <summary><c>sample</c>: loads the checkpoint as a <see cref="CharModel"/> and streams its samples.</summary>
internal static class SampleVerb
{
    public static int Run(SampleOptions o, TextWriter output)
    {
        if (o.Prime != null && o.PrimeFile != null) throw new EngineException("give --prime or --prime-file, not both");
        string prime = o.PrimeFile != null ? Engine.Data.TextFile.Read(o.PrimeFile, "prime file") : o.Prime ?? "The";
        var info = CharModel.ReadInfo(o.Checkpoint);
        if (o.Length < 0) throw new UsageException($"--length must be 0 or more, got {o.Length}");
        var options = new SamplingOptions
        {
            // --length counts after the first predicted character, as the lesson's sample(size) does.
            Length = o.Length + 1,
            TopK = o.TopK,
            TopP = o.TopP,
            Temperature = o.Temperature,
            Argmax = o.Argmax,
            Seed = o.SeedOrDefault,
        };
        options.Validate(info.Vocabulary.Count);
        new Engine.Data.Vocabulary(info.Vocabulary).Encode(prime, "the prime text"); // refuse unknown characters before opening a device
        if (o.Count < 1) throw new UsageException($"--count must be at least 1, got {o.Count}");
        // Never overwrite a file the user made; checked before any work.
        if (o.Out != null && (File.Exists(o.Out) || Directory.Exists(o.Out)))
            throw new EngineException($"--out '{o.Out}' already exists; choose another file or remove it");
        using var device = ComputeDevice.Open(o.Accelerator);
        using var model = CharModel.Load(o.Checkpoint, device);
        using var file = o.Out is null ? null : OpenOut(o.Out);
        for (int i = 0; i < o.Count; i++)
        {
            ulong seed = o.SeedOrDefault + (ulong)i;
            if (o.Count > 1) output.WriteLine($"--- sample {i + 1} of {o.Count} (seed {seed}) ---");
            var text = new System.Text.StringBuilder();
            foreach (var piece in model.GenerateStream(prime, options with { Seed = seed }))
            {
                output.Write(piece);
                output.Flush();
                text.Append(piece);
            }
            output.WriteLine();
            if (file != null)
            {
                if (o.Count > 1) file.WriteLine($"--- sample {i + 1} of {o.Count} (seed {seed}) ---");
                file.WriteLine(text.ToString());
            }
        }
        return ExitCodes.Success;
    }

    private static StreamWriter OpenOut(string path)
    {
        try
        {
            return new StreamWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write --out '{path}': {e.Message}");
        }
    }
}
