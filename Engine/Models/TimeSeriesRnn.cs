using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Tensors;

namespace IlgpuLstm.Engine.Models;

/// <summary>
/// The time-series lesson's model: <c>rnn</c> (batch-first RNN, or GRU/LSTM) over one value a step,
/// then <c>fc</c> Linear(H, 1) at every step, mean squared error against the next value.
/// Parameter names follow the lesson's module (<c>rnn.weight_ih_l0</c>, <c>fc.weight</c>).
/// </summary>
internal sealed class TimeSeriesRnn : IDisposable
{
    public const int LossSlot = 0, SumSquaresSlot = 1, NormSlot = 2, ClipSlot = 3;

    private readonly IOps ops;
    private readonly BufferGroup owned;
    private readonly ArrayView<float> x, y, prediction, dPrediction, squared, scalars;

    public TimeSeriesRnn(ComputeDevice device, CellKind cell, int inputSize, int hiddenSize, int numLayers,
        int outputSize, int batch, int steps, float dropout = 0f)
    {
        if (hiddenSize < 1) throw new OptionOutOfRangeException("HiddenSize", $"HiddenSize must be at least 1, got {hiddenSize}");
        if (numLayers < 1) throw new OptionOutOfRangeException("NumLayers", $"NumLayers must be at least 1, got {numLayers}");
        ops = device.Ops;
        owned = new BufferGroup(device);
        Cell = cell; HiddenSize = hiddenSize; NumLayers = numLayers; Batch = batch; Steps = steps; OutputSize = outputSize;
        Layout = new ParameterLayout();
        Recurrent.AddParameters(Layout, "rnn", cell, inputSize, hiddenSize, numLayers);
        Linear.AddParameters(Layout, "fc", hiddenSize, outputSize);
        Store = new ParameterStore(device, Layout);
        Rnn = new Recurrent(device, Store, "rnn", cell, inputSize, hiddenSize, numLayers, dropout, batchFirst: true);
        Rnn.Prepare(batch, steps);
        Fc = new Linear(ops, Store, "fc", hiddenSize, outputSize);
        long rows = (long)batch * steps;
        x = owned.Allocate<float>(rows * inputSize, "inputs");
        y = owned.Allocate<float>(rows * outputSize, "targets");
        prediction = owned.Allocate<float>(rows * outputSize, "predictions");
        dPrediction = owned.Allocate<float>(rows * outputSize, "prediction gradients");
        squared = owned.Allocate<float>(rows * outputSize, "squared errors");
        scalars = owned.Allocate<float>(4, "training scalars");
        ops.Fill(scalars, 4, 0f);
        InputSize = inputSize;
    }

    public CellKind Cell { get; }
    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public int OutputSize { get; }
    public int Batch { get; }
    public int Steps { get; }
    public ParameterLayout Layout { get; }
    public ParameterStore Store { get; }
    public Recurrent Rnn { get; }
    public Linear Fc { get; }
    public ArrayView<float> Scalars => scalars;
    public ArrayView<float> Prediction => prediction;

    public void Initialize(ulong seed) => Store.Upload(Initializer.Uniform(Layout, _ => 1.0 / Math.Sqrt(HiddenSize), seed));

    /// <summary>Uploads one batch-first window (B, T, input) and its targets (B, T, output).</summary>
    public void SetBatch(float[] inputs, float[] targets)
    {
        x.SubView(0, inputs.Length).CopyFromCPU(inputs);
        y.SubView(0, targets.Length).CopyFromCPU(targets);
    }

    /// <summary>
    /// Forward (with dropout between layers, from Philox stream <paramref name="stream"/> of
    /// <paramref name="seed"/>, where the model has any), MSE into Scalars[LossSlot], backward into zeroed gradients, and the clip factor for
    /// a global gradient norm of at most <paramref name="clip"/> (1 when it is 0: the lesson does not clip).
    /// </summary>
    public void ForwardBackward(RecurrentState state, float clip = 0f, ulong seed = 0, ulong stream = 0)
    {
        int rows = Batch * Steps, n = rows * OutputSize;
        // Dropout (between layers, as PyTorch's) only where it is asked for: the lesson's path is unchanged.
        var output = Rnn.Forward(RecurrentInput.FromDense(x, InputSize), state, training: Rnn.Dropout > 0, seed, stream);
        Fc.Forward(output, prediction, rows);
        ops.MeanSquaredError(prediction, y, squared, dPrediction, n, 1f / n);
        ops.Sum(squared, n, scalars, LossSlot, 1f / n, squared: false);
        ops.Fill(Store.Gradients, Store.Count, 0f);
        Fc.Backward(output, dPrediction, Rnn.OutputGradient, rows);
        Rnn.Backward();
        if (clip > 0f) ops.Sum(Store.Gradients, Store.Count, scalars, SumSquaresSlot, 1f, squared: true);
        ops.ClipCoefficient(scalars, SumSquaresSlot, NormSlot, ClipSlot, clip);
    }

    /// <summary>A forward-only pass over whole series at batch 1, sharing these weights (validation, test, forecasts).</summary>
    public TimeSeriesEvaluator CreateEvaluator(ComputeDevice device) => new(device, this);

    public RecurrentState CreateState(ComputeDevice device) => new(device, Cell, NumLayers, Batch, HiddenSize);

    public void Dispose()
    {
        owned.Dispose();
        Rnn.Dispose();
        Store.Dispose();
    }
}
