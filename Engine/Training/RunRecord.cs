using System.Globalization;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// What a run remembers between reports, and its divergence guard: the first, last and best losses
/// and the validations since the best. A resumed run restores it from its
/// <see cref="TrainingPosition"/>, so early stopping and the guard continue as if uninterrupted.
/// </summary>
internal sealed class RunRecord(TrainingPosition position)
{
    /// <summary>char-rnn's guard: a loss above this multiple of the run's first one aborts it.</summary>
    public const double ExplodingFactor = 3;

    public double? BestValLoss { get; private set; } = position.BestValLoss;
    public double? LastLoss { get; private set; } = position.LastLoss;
    public double? FirstLoss { get; private set; } = position.FirstLoss;
    public int ValidationsSinceBest { get; private set; } = position.ValidationsSinceBest;

    /// <summary>
    /// Checks a step's loss and gradient norm and whether the weights are finite; a poisoned model
    /// stops the run before anything is saved. <paramref name="kept"/> says what is on disk.
    /// </summary>
    public void CheckTraining(long step, double loss, double norm, bool weightsFinite, string kept)
    {
        if (!double.IsFinite(loss) || !double.IsFinite(norm) || !weightsFinite)
            throw new EngineException($"training diverged at step {step}: loss {Text(loss)}, gradient norm {Text(norm)}" +
                $"{(weightsFinite ? "" : ", weights no longer finite")} (last finite loss {(LastLoss is { } l ? Text(l) : "none")}); " +
                $"{kept}. Try a lower LearningRate or GradClip");
        FirstLoss ??= loss;
        if (loss > ExplodingFactor * FirstLoss)
            throw new EngineException($"loss is exploding at step {step}: {Text(loss)} is over {ExplodingFactor} times the first " +
                $"loss {Text(FirstLoss.Value)}; {kept}. Try a lower LearningRate or GradClip");
        LastLoss = loss;
    }

    /// <summary>Records a validation loss; true when it is a new best.</summary>
    public bool Validated(long step, double loss, string kept)
    {
        if (!double.IsFinite(loss)) throw new EngineException($"validation loss became {Text(loss)} at step {step}; {kept}");
        bool best = BestValLoss == null || loss < BestValLoss;
        if (best) BestValLoss = loss;
        ValidationsSinceBest = best ? 0 : ValidationsSinceBest + 1;
        return best;
    }

    /// <summary>The position to resume at, with this record in it.</summary>
    public TrainingPosition Into(TrainingPosition next) => next with
    {
        BestValLoss = BestValLoss,
        LastLoss = LastLoss,
        FirstLoss = FirstLoss,
        ValidationsSinceBest = ValidationsSinceBest,
    };

    private static string Text(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
