using System.Globalization;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Verbs;

/// <summary>
/// What <c>train --resume</c> accepts. Flags that define the model, the data or the optimizer may
/// be given again only with the run's own values (anything else would not be the same run);
/// flags about run length and reporting may change, so a finished run can be extended. --corpus
/// names where the run's corpus is now; the engine checks that its content is the run's.
/// </summary>
internal static class ResumeFlags
{
    public static ResumeOptions Merge(TrainOptions o, RunSummary run)
    {
        if (o.InitFrom != null) throw new UsageException("--init-from and --resume cannot be combined: --resume continues a run with its own weights");
        if (o.Preset != null) throw new UsageException("--preset cannot be combined with --resume: the run keeps its own settings");
        var c = run.Training;
        var m = run.Model;
        var conflicts = new List<string>();
        void Check<T>(T? given, T actual, string flag) where T : struct
        {
            if (given is { } g && !EqualityComparer<T>.Default.Equals(g, actual))
                conflicts.Add($"--{flag} {Format(g)} (the run has {Format(actual)})");
        }
        if (o.Cell != null && (!CellKindExtensions.TryParse(o.Cell, out var cell) || cell != m.Cell))
            conflicts.Add($"--cell {o.Cell} (the run has {m.Cell.ModuleName()})");
        if (o.Optimizer != null && !string.Equals(o.Optimizer, c.Optimizer.Kind.ToString(), StringComparison.OrdinalIgnoreCase))
            conflicts.Add($"--optimizer {o.Optimizer} (the run has {c.Optimizer.Kind.ToString().ToLowerInvariant()})");
        if (o.RunDirectory != null && Path.GetFullPath(o.RunDirectory) != Path.GetFullPath(run.Directory))
            conflicts.Add($"--checkpoint-dir {o.RunDirectory} (the run is in {run.Directory})");
        Check(o.HiddenSize, m.HiddenSize, "hidden-size");
        Check(o.NumLayers, m.NumLayers, "num-layers");
        Check(o.Dropout is { } d ? (float)d : (float?)null, (float)m.Dropout, "dropout");
        Check(o.BatchSize, c.BatchSize, "batch-size");
        Check(o.SeqLength, c.SeqLength, "seq-length");
        Check(o.ValFrac, c.ValFrac, "val-frac");
        Check(o.LearningRate, c.Optimizer.LearningRate, "lr");
        Check(o.Momentum, c.Optimizer.Momentum, "momentum");
        Check(o.WeightDecay, c.Optimizer.WeightDecay, "weight-decay");
        Check(o.GradClip, c.GradClip, "grad-clip");
        Check(o.GradClamp, c.GradClamp, "grad-clamp");
        Check(o.Seed, c.Seed, "seed");
        Check(o.LrDecay, c.LrDecay, "lr-decay");
        Check(o.DecayAfter, c.DecayAfter, "decay-after");
        if (conflicts.Count > 0)
            throw new UsageException("--resume keeps the run's model, data and optimizer settings; these flags conflict: " +
                string.Join(", ", conflicts) + ". Only --epochs, --max-steps, --time-limit, --print-every, --val-every, --save-every, --val-batches, --patience and --keep may change, and --corpus may name where the run's corpus moved");
        return new ResumeOptions
        {
            Epochs = o.Epochs,
            MaxSteps = o.MaxSteps,
            PrintEvery = o.PrintEvery,
            ValEvery = o.ValEvery,
            SaveEvery = o.SaveEvery,
            ValBatches = o.ValBatches,
            Patience = o.Patience,
            Keep = o.Keep,
            Corpus = o.Corpus,
            TimeLimit = o.TimeLimit is null ? null : Duration.Parse(o.TimeLimit, "--time-limit"),
        };
    }

    private static string Format<T>(T value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString() ?? "";
}
