using System.Globalization;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

/// <summary>
/// What <c>train --resume</c> accepts. Flags that define the model, the data or the optimizer may
/// be given again only with the run's own values (anything else would not be the same run);
/// flags about run length and reporting may change, so a finished run can be extended.
/// </summary>
public static class ResumeFlags
{
    public static TrainConfig Merge(TrainOptions o, ResumePoint run)
    {
        if (o.InitFrom != null) throw new UsageException("--init-from and --resume cannot be combined: --resume continues a run with its own weights");
        if (o.Preset != null) throw new UsageException("--preset cannot be combined with --resume: the run keeps its own settings");
        var c = run.Config;
        var m = run.Model.Config;
        var conflicts = new List<string>();
        void Check<T>(T? given, T actual, string flag) where T : struct
        {
            if (given is { } g && !EqualityComparer<T>.Default.Equals(g, actual))
                conflicts.Add($"--{flag} {Format(g)} (the run has {Format(actual)})");
        }
        if (o.Cell != null && (!CellKindExtensions.TryParse(o.Cell, out var cell) || cell != m.Cell))
            conflicts.Add($"--cell {o.Cell} (the run has {m.Cell.ModuleName()})");
        if (o.Corpus != null && (Engine.Data.CorpusManifest.Find(o.Corpus) is null ? Path.GetFullPath(o.Corpus) : o.Corpus) != run.Corpus)
            conflicts.Add($"--corpus {o.Corpus} (the run has {run.Corpus})");
        if (o.Optimizer != null && !string.Equals(o.Optimizer, c.Optimizer.Kind.ToString(), StringComparison.OrdinalIgnoreCase))
            conflicts.Add($"--optimizer {o.Optimizer} (the run has {c.Optimizer.Kind.ToString().ToLowerInvariant()})");
        Check(o.HiddenSize, m.HiddenSize, "hidden-size");
        Check(o.NumLayers, m.NumLayers, "num-layers");
        Check(o.Dropout is { } d ? (float)d : (float?)null, m.Dropout, "dropout");
        Check(o.BatchSize, c.BatchSize, "batch-size");
        Check(o.SeqLength, c.SeqLength, "seq-length");
        Check(o.ValFrac, c.ValFrac, "val-frac");
        Check(o.LearningRate, c.Optimizer.LearningRate, "lr");
        Check(o.Momentum, c.Optimizer.Momentum, "momentum");
        Check(o.GradClip, c.GradClip, "grad-clip");
        Check(o.GradClamp, c.GradClamp, "grad-clamp");
        Check(o.Seed, c.Seed, "seed");
        Check(o.LrDecay, c.LrDecay, "lr-decay");
        Check(o.DecayAfter, c.DecayAfter, "decay-after");
        if (conflicts.Count > 0)
            throw new UsageException("--resume keeps the run's model, data and optimizer settings; these flags conflict: " +
                string.Join(", ", conflicts) + ". Only --epochs, --max-steps, --time-limit, --print-every, --val-every, --save-every, --val-batches and --patience may change");
        return c with
        {
            Epochs = o.Epochs ?? c.Epochs,
            MaxSteps = o.MaxSteps ?? c.MaxSteps,
            PrintEvery = o.PrintEvery ?? c.PrintEvery,
            ValEvery = o.ValEvery ?? c.ValEvery,
            SaveEvery = o.SaveEvery ?? c.SaveEvery,
            ValBatches = o.ValBatches ?? c.ValBatches,
            Patience = o.Patience ?? c.Patience,
            TimeLimit = o.TimeLimit is null ? null : Duration.Parse(o.TimeLimit, "--time-limit"),
        };
    }

    private static string Format<T>(T value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString() ?? "";
}
