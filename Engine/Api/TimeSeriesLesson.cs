using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm;

/// <summary>The sine-wave time-series lesson's settings: RNN(1, 32) + Linear(32, 1), MSE, Adam 0.01, 75 windows of 20 points.</summary>
public sealed record TimeSeriesOptions
{
    /// <summary>The recurrent cell (the lesson: <see cref="CellKind.Rnn"/>).</summary>
    public CellKind Cell { get; init; } = CellKind.Rnn;
    /// <summary>Units per recurrent layer.</summary>
    public int HiddenSize { get; init; } = 32;
    /// <summary>Recurrent layers.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Training steps, one half-period window each.</summary>
    public int Steps { get; init; } = 75;

    /// <summary>Points per window.</summary>
    public int SeqLength { get; init; } = 20;

    /// <summary>Report every N steps, from step 0.</summary>
    public int PrintEvery { get; init; } = 15;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>Seed of the initialisation.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// The time-series lesson's model on a device: a batch-first recurrent layer over one value a step,
/// Linear(H, 1) at every step, trained to predict the next point of a sine wave, with the hidden
/// state carried across windows. Parameter names follow the lesson's module (<c>rnn.weight_ih_l0</c>, <c>fc.weight</c>).
/// </summary>
public sealed class TimeSeriesLesson : IDisposable
{
    private readonly ComputeDevice device;
    private readonly TimeSeriesRnn model;
    private readonly TimeSeriesOptions options;
    private bool disposed;

    /// <summary>Builds and initialises the model on <paramref name="device"/>.</summary>
    /// <exception cref="OptionOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public TimeSeriesLesson(ComputeDevice device, TimeSeriesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        this.device = device;
        this.options = options ??= new TimeSeriesOptions();
        if (options.SeqLength < 1) throw new OptionOutOfRangeException("SeqLength", $"SeqLength must be at least 1, got {options.SeqLength}");
        if (!(options.LearningRate > 0) || double.IsInfinity(options.LearningRate))
            throw new OptionOutOfRangeException("LearningRate", $"LearningRate must be positive, got {options.LearningRate}");
        lock (device.Gate)
        {
            device.ThrowIfDisposed();
            model = new TimeSeriesRnn(device, options.Cell, 1, options.HiddenSize, options.NumLayers, 1, 1, options.SeqLength);
            model.Initialize(options.Seed);
        }
    }

    /// <summary>Trainable parameters.</summary>
    public long Parameters => model.Layout.Count;

    /// <summary>Trains for <see cref="TimeSeriesOptions.Steps"/> steps, telling <paramref name="report"/> at every print step.</summary>
    /// <exception cref="ObjectDisposedException">This lesson or its device was disposed.</exception>
    public TimeSeriesOutcome Train(Action<TimeSeriesReport>? report = null) => Train(report, CancellationToken.None);

    /// <summary>
    /// <see cref="Train(Action{TimeSeriesReport}?)"/>, stopped after the current step when
    /// <paramref name="cancellationToken"/> is cancelled (the outcome then holds the steps taken).
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before the first step.</exception>
    /// <exception cref="ObjectDisposedException">This lesson or its device was disposed.</exception>
    public TimeSeriesOutcome Train(Action<TimeSeriesReport>? report, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return TimeSeriesTrainer.Run(device, model, options.Steps, options.PrintEvery,
            new OptimizerSettings(OptimizerKind.Adam, options.LearningRate), report ?? (_ => { }), cancellationToken);
    }

    /// <summary>Frees the model's device memory; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => device.Free(ref disposed, model);
}
