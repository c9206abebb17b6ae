using CommandLine;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Export;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Verbs;

[Verb("export", HelpText = "Write a checkpoint as an ONNX model (ONNX Runtime, ML.NET, onnxruntime-web, Netron) with the same logits.")]
internal sealed class ExportOptions
{
    [Option("checkpoint", Required = true, HelpText = "A .safetensors checkpoint (ours, or a PyTorch export with a 'vocab' entry).")]
    public string Checkpoint { get; set; } = "";

    [Option("format", HelpText = "The output format: onnx (operator set 17) (default onnx).")]
    public string Format { get; set; } = "onnx";

    [Option("out", Required = true, HelpText = "The file to write (refused if it exists, unless --overwrite).")]
    public string Out { get; set; } = "";

    [Option("overwrite", HelpText = "Replace --out if it exists.")]
    public bool Overwrite { get; set; }
}

internal static class ExportVerb
{
    public static int Run(ExportOptions o, TextWriter output)
    {
        if (!string.Equals(o.Format, "onnx", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--format '{o.Format}' is not known; valid: onnx");
        if (!o.Overwrite && (File.Exists(o.Out) || Directory.Exists(o.Out)))
            throw new EngineException($"--out '{o.Out}' already exists; choose another file, or add --overwrite to replace it");
        var model = ModelCheckpoint.Load(o.Checkpoint);
        OnnxExport.Write(model, o.Out, o.Overwrite);
        var c = model.Config;
        bool lstm = c.Cell == CellKind.Lstm;
        output.WriteLine($"wrote {o.Out} ({new FileInfo(o.Out).Length:N0} bytes): {c.Cell.ModuleName()} {c.HiddenSize}x{c.NumLayers}, " +
            $"vocabulary {c.VocabSize}, ONNX opset {OnnxExport.Opset}");
        output.WriteLine($"inputs: tokens int64 [batch, seq], h0 float32 [{c.NumLayers}, batch, {c.HiddenSize}]" +
            (lstm ? $", c0 likewise" : "") + $"; outputs: logits [batch, seq, {c.VocabSize}], hn" + (lstm ? ", cn" : "") +
            "; the vocabulary is in the metadata entry 'vocab'");
        return ExitCodes.Success;
    }
}
