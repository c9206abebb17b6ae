using CommandLine;
using CommandLine.Text;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

[Verb("plot", HelpText = "Draw training and validation loss of one or more runs (checkpoint directories or metrics.jsonl files) to a PNG.")]
internal sealed class PlotOptions
{
    [Value(0, MetaName = "runs", Required = true, HelpText = "Checkpoint directories or metrics.jsonl files.")]
    public IEnumerable<string> Runs { get; set; } = [];

    [Option("out", HelpText = "The PNG to write (default loss.png; refused if it exists, unless --overwrite).")]
    public string Out { get; set; } = "loss.png";

    [Option("overwrite", HelpText = "Replace --out if it exists.")]
    public bool Overwrite { get; set; }
}

internal static class PlotVerb
{
    public static int Run(PlotOptions o, TextWriter output)
    {
        var runs = o.Runs.Select(RunMetrics.Read).ToList();
        if (runs.Count == 0) throw new UsageException("plot needs at least one run (a checkpoint directory or metrics.jsonl)");
        if (!o.Out.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--out must name a .png file, got '{o.Out}'");
        // Never replace a file the user made without being asked; checked before any drawing.
        if (!o.Overwrite && (File.Exists(o.Out) || Directory.Exists(o.Out)))
            throw new EngineException($"--out '{o.Out}' already exists; choose another file, or add --overwrite to replace it");
        LossPlot.Save(runs, o.Out);
        output.WriteLine($"wrote {o.Out} ({string.Join(", ", runs.Select(r => $"{r.Name}: {r.Points.Count} reports"))})");
        return ExitCodes.Success;
    }
}
