using CommandLine;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Export;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Verbs;

[Verb("export", HelpText = "Write a checkpoint (a character model or a forecaster) as an ONNX model (ONNX Runtime, ML.NET, onnxruntime-web, Netron) with the same outputs.")]
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
        if (Engine.Forecasting.ForecasterFile.IsForecaster(o.Checkpoint))
        {
            var f = Engine.Forecasting.ForecasterFile.Read(o.Checkpoint);
            OnnxExport.Write(o.Checkpoint, o.Out, o.Overwrite);
            bool cellState = f.Options.Cell == CellKind.Lstm;
            output.WriteLine($"wrote {o.Out} ({new FileInfo(o.Out).Length:N0} bytes): forecaster of {f.Target}, {f.Options.Cell.ModuleName()} " +
                $"{f.Options.HiddenSize}x{f.Options.NumLayers}, horizon {f.Options.Horizon}, ONNX opset {OnnxExport.Opset}");
            output.WriteLine($"inputs: x float32 [batch, seq, {f.Scaling.Features}] (scaled as the metadata entry 'scaling' says), h0 float32 " +
                $"[{f.Options.NumLayers}, batch, {f.Options.HiddenSize}]{(cellState ? ", c0 likewise" : "")}; outputs: y [batch, seq, {f.Options.Horizon}] " +
                $"(value h steps ahead = origin + y[h] x target_scales[h]), hn{(cellState ? ", cn" : "")}");
            return ExitCodes.Success;
        }
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
