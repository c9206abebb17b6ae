namespace IlgpuLstm;

/// <summary>
/// How <see cref="TimeSeriesForecaster.Train"/> learns a series: the recurrent layer and linear
/// head, the window (rows a step reads, the hidden state carried between steps), the horizon, the
/// split by time, and the lesson's loop (Adam, clip, early stop on the validation MAE).
/// </summary>
public sealed record ForecastOptions
{
    /// <summary>The recurrent cell.</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;
    /// <summary>Units per recurrent layer.</summary>
    public int HiddenSize { get; init; } = 64;
    /// <summary>Recurrent layers.</summary>
    public int NumLayers { get; init; } = 1;
    /// <summary>Dropout between recurrent layers while training (PyTorch's <c>dropout</c>; none with one layer).</summary>
    public double Dropout { get; init; }
    /// <summary>Rows each stream reads a step; the hidden state carries over to the next window.</summary>
    public int Window { get; init; } = 24;
    /// <summary>Steps ahead forecast from every origin (1..H at once).</summary>
    public int Horizon { get; init; } = 1;
    /// <summary>The season in rows (12 for monthly data, 365 or 7 for daily): the seasonal naive baseline and two phase inputs. 0: none.</summary>
    public int Season { get; init; }
    /// <summary>Whether the model reads the target's level as well as its changes (leave it out for a series that trends past its training range).</summary>
    public bool LevelInput { get; init; } = true;
    /// <summary>The validation split: this fraction of the rows before the test split (early stopping, the best checkpoint).</summary>
    public double ValFrac { get; init; } = 0.15;
    /// <summary>The test split: this fraction of the rows at the end.</summary>
    public double TestFrac { get; init; } = 0.15;
    /// <summary>Contiguous streams the training rows are cut into, one batch row each.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Passes over the training split at most.</summary>
    public int Epochs { get; init; } = 300;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;
    /// <summary>Largest global gradient norm (0: no clip).</summary>
    public double GradClip { get; init; } = 1;
    /// <summary>Stop after this many validations (one an epoch) without a better validation MAE (0: never).</summary>
    public int Patience { get; init; } = 40;
    /// <summary>Seed of the initialisation.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Stop cleanly after this much training time.</summary>
    public TimeSpan? TimeLimit { get; init; }
    /// <summary>Where checkpoints and metrics.jsonl go (null: nowhere; the model stays in memory).</summary>
    public string? RunDirectory { get; init; }
    /// <summary>Replace a run already in <see cref="RunDirectory"/>.</summary>
    public bool Overwrite { get; init; }

    internal void Validate()
    {
        static void AtLeast(int value, int least, string name)
        {
            if (value < least) throw new OptionOutOfRangeException(name, $"{name} must be at least {least}, got {value}");
        }
        AtLeast(HiddenSize, 1, "HiddenSize");
        AtLeast(NumLayers, 1, "NumLayers");
        AtLeast(Window, 1, "Window");
        AtLeast(Horizon, 1, "Horizon");
        AtLeast(Season, 0, "Season");
        AtLeast(BatchSize, 1, "BatchSize");
        AtLeast(Epochs, 1, "Epochs");
        AtLeast(Patience, 0, "Patience");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new OptionOutOfRangeException("LearningRate", $"LearningRate must be positive, got {LearningRate}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new OptionOutOfRangeException("Dropout", $"Dropout must be in [0, 1), got {Dropout}");
        if (!(GradClip >= 0)) throw new OptionOutOfRangeException("GradClip", $"GradClip must be 0 (none) or positive, got {GradClip}");
    }
}

/// <summary>Errors of forecasts over steps 1..H from every origin of a split, in the target's units, beside the naive baselines'.</summary>
/// <param name="Origins">Forecast origins averaged over.</param>
/// <param name="Mae">The model's mean absolute error.</param>
/// <param name="Rmse">The model's root mean squared error.</param>
/// <param name="PersistenceMae">Persistence (the origin's value for every step).</param>
/// <param name="PersistenceRmse">Persistence's RMSE.</param>
/// <param name="SeasonalNaiveMae">Seasonal naive (the value a season earlier); null without a season.</param>
/// <param name="SeasonalNaiveRmse">Seasonal naive's RMSE.</param>
public sealed record ForecastErrorsSummary(int Origins, double Mae, double Rmse, double PersistenceMae, double PersistenceRmse,
    double? SeasonalNaiveMae, double? SeasonalNaiveRmse);

/// <summary>One report of a forecasting run: after an epoch, the mean training loss and the validation errors.</summary>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="Step">Steps taken in all.</param>
/// <param name="TrainLoss">The epoch's mean training loss (scaled units).</param>
/// <param name="ValidationMae">Validation MAE in the target's units (NaN without a validation split).</param>
/// <param name="ValidationLoss">Validation loss (scaled units).</param>
/// <param name="Best">Whether this epoch is the best so far (its weights were kept).</param>
/// <param name="Elapsed">Training time so far, across resumes.</param>
public sealed record ForecastReport(int Epoch, int Step, double TrainLoss, double ValidationMae, double ValidationLoss, bool Best, TimeSpan Elapsed);

/// <summary>How a forecasting run ended, with the test split's errors of its best model.</summary>
/// <param name="StopReason">Why training stopped, in words.</param>
/// <param name="Steps">Steps taken in all.</param>
/// <param name="Epochs">The last epoch finished.</param>
/// <param name="BestEpoch">The epoch whose weights the forecaster holds.</param>
/// <param name="BestValidationMae">Their validation MAE.</param>
/// <param name="Test">The test split's errors with those weights, beside the naive baselines'.</param>
/// <param name="Reports">One report per epoch of this session.</param>
/// <param name="Losses">Every step's training loss this session.</param>
/// <param name="RunDirectory">Where checkpoints and metrics went; null when none was given.</param>
public sealed record ForecastTrainingResult(string StopReason, int Steps, int Epochs, int BestEpoch, double BestValidationMae,
    ForecastErrorsSummary Test, IReadOnlyList<ForecastReport> Reports, float[] Losses, string? RunDirectory);

/// <summary>What a resumed forecasting run may change: its length and patience. Null keeps the run's value.</summary>
public sealed record ForecastResumeOptions
{
    /// <summary>Passes over the training split in all.</summary>
    public int? Epochs { get; init; }
    /// <summary>Validations without a better MAE before stopping (0: never).</summary>
    public int? Patience { get; init; }
    /// <summary>Stop cleanly after this much training time in this session.</summary>
    public TimeSpan? TimeLimit { get; init; }
}
