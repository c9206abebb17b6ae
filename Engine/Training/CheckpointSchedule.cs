namespace IlgpuLstm.Engine.Training;

/// <summary>What the loop does after one step, besides training: report, validate, save, keep an epoch checkpoint.</summary>
internal readonly record struct StepActions(bool Report, bool Validate, bool Save, int? KeepEpoch)
{
    public bool Any => Report || Validate || Save;
}

/// <summary>
/// When a run reports, validates and saves: every PrintEvery steps a report, every
/// ValidationInterval a validation, every SaveInterval the latest and resume checkpoints (the
/// lesson does all three together); the last step of the run and the end of an epoch whose
/// checkpoint is kept do all three. An interrupted run saves at once without validating, since
/// validation can take minutes on a slow accelerator.
/// </summary>
internal sealed class CheckpointSchedule(TrainingOptions config, bool validates, bool keepsEpochs)
{
    public StepActions After(long step, int epoch, bool endOfEpoch, bool lastOfRun, bool interrupted)
    {
        bool keepEpoch = endOfEpoch && keepsEpochs && !interrupted;
        bool print = step % config.PrintEvery == 0, validateNow = step % config.ValidationInterval == 0;
        bool save = step % config.SaveInterval == 0 || lastOfRun || keepEpoch;
        if (!(print || validateNow || save)) return default;
        bool validate = validates && !interrupted && (validateNow || lastOfRun || keepEpoch);
        return new StepActions(print || lastOfRun || keepEpoch, validate, save, keepEpoch ? epoch : null);
    }
}
