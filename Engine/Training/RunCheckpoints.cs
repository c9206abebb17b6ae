using System.Globalization;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// Writes a run's checkpoints into its <see cref="CheckpointPlan"/>: a new best whenever one
/// appears, then latest, the epoch's (pruned to Keep) and resume when the schedule says to save.
/// Every file carries the plan's metadata plus step, epoch and losses.
/// </summary>
internal sealed class RunCheckpoints(CheckpointPlan plan, CharRnn model, Vocabulary vocabulary, TrainingOptions config,
    ITrainingObserver observer)
{
    private bool saved;

    /// <summary>What a divergence message says is on disk.</summary>
    public string Kept => saved || File.Exists(plan.Latest) ? "the last good checkpoint was kept" : "no checkpoint was written";

    public bool KeepsEpochs => plan.Keep > 0;

    public void EnsureWritable() => plan.EnsureWritable();

    /// <summary>Writes what <paramref name="actions"/> and <paramref name="best"/> ask for, after <paramref name="report"/>'s step.</summary>
    public void Write(TrainingReport report, StepActions actions, bool best, RecurrentState state, TrainingPosition next)
    {
        var metadata = new Dictionary<string, string>(plan.Metadata, StringComparer.Ordinal)
        {
            ["step"] = report.Step.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = report.Epoch.ToString(CultureInfo.InvariantCulture),
            ["train_loss"] = report.Loss.ToString("R", CultureInfo.InvariantCulture),
        };
        if (report.ValLoss is { } val) metadata["val_loss"] = val.ToString("R", CultureInfo.InvariantCulture);
        // A new best is kept whenever it appears, whatever SaveEvery says.
        if (best) Save("best", plan.Best, report.Step, metadata);
        if (!actions.Save) return;
        Save("latest", plan.Latest, report.Step, metadata);
        if (actions.KeepEpoch is { } epoch)
        {
            Save("epoch", plan.EpochCheckpoint(epoch, report.ValLoss), report.Step, metadata);
            plan.PruneEpochCheckpoints();
        }
        ResumeCheckpoint.Save(plan.Resume, model, vocabulary, state, next, config, plan.Corpus, plan.CorpusSha256, metadata);
        observer.Saved("resume", plan.Resume, report.Step);
        saved = true;
    }

    private void Save(string kind, string path, long step, Dictionary<string, string> metadata)
    {
        ModelCheckpoint.Save(path, model, vocabulary, metadata);
        observer.Saved(kind, path, step);
    }
}
