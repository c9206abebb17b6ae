using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Tensors;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Models;

/// <summary>
/// The lesson's CharRNN: one-hot characters → <see cref="Recurrent"/> (named <c>lstm</c>, <c>gru</c> or
/// <c>rnn</c>) → dropout → <c>fc</c> Linear(H, V) at every step, cross-entropy averaged over the
/// B·T characters. Owns the parameter store and every activation buffer; <see cref="Prepare"/>
/// sizes activations for one (B, T). Rows are time-major (t·B + b) inside; the mean loss does
/// not depend on row order.
/// </summary>
internal sealed class CharRnn : IDisposable
{
    /// <summary>Slots of <see cref="Scalars"/>: the loss, Σg², the gradient norm, the clip factor and Σw².</summary>
    public const int LossSlot = 0, SumSquaresSlot = 1, NormSlot = 2, ClipSlot = 3, WeightSquaresSlot = 4;

    private readonly ComputeDevice device;
    private readonly IOps ops;
    private BufferGroup activations;
    private readonly DeviceBuffer<float> scalars;
    private ArrayView<int> batchInts, tokens, targets, tokenIndex;
    private ArrayView<float> logits, dLogits, rowLoss, topMask, topDropped;
    private int[] hostBatch = [];
    private readonly BatchUpload upload;

    public CharRnn(ComputeDevice device, ModelConfig config)
    {
        config.Validate();
        this.device = device;
        ops = device.Ops;
        activations = new BufferGroup(device);
        Config = config;
        Layout = CreateLayout(config);
        Store = new ParameterStore(device, Layout);
        Rnn = new Recurrent(device, Store, config.Cell.ModuleName(), config.Cell, config.VocabSize, config.HiddenSize,
            config.NumLayers, (float)config.Dropout);
        Fc = new Linear(ops, Store, "fc", config.HiddenSize, config.VocabSize);
        upload = new BatchUpload(device);
        scalars = device.Allocate<float>(5, "training scalars");
        ops.Fill(scalars.View, 5, 0f);
    }

    public ComputeDevice Device => device;
    public ModelConfig Config { get; }
    public ParameterLayout Layout { get; }
    public ParameterStore Store { get; }
    public Recurrent Rnn { get; }
    public Linear Fc { get; }
    public int Batch { get; private set; }
    public int Steps { get; private set; }
    public ArrayView<float> Scalars => scalars.View;
    public ArrayView<float> Logits => logits;

    public static ParameterLayout CreateLayout(ModelConfig config)
    {
        var layout = new ParameterLayout();
        Recurrent.AddParameters(layout, config.Cell.ModuleName(), config.Cell, config.VocabSize, config.HiddenSize,
            config.NumLayers);
        Linear.AddParameters(layout, "fc", config.HiddenSize, config.VocabSize);
        return layout;
    }

    /// <summary>PyTorch's default initialisation from a seed.</summary>
    public void Initialize(ulong seed) =>
        Store.Upload(Initializer.Uniform(Layout, _ => 1.0 / Math.Sqrt(Config.HiddenSize), seed));

    public RecurrentState CreateState(int batch) =>
        new(device, Config.Cell, Config.NumLayers, batch, Config.HiddenSize);

    /// <summary>Sizes every activation for (batch, steps); reallocates only when they change.</summary>
    public void Prepare(int batch, int steps)
    {
        if (batch == Batch && steps == Steps) return;
        activations.Dispose();
        activations = new BufferGroup(device);
        Rnn.Prepare(batch, steps);
        long rows = (long)batch * steps, v = Config.VocabSize, h = Config.HiddenSize;
        // One buffer, one upload a step: [tokens | targets | token index (order, starts)].
        int indexLength = TokenIndex.Length((int)rows, Config.VocabSize);
        batchInts = activations.Allocate<int>(2 * rows + indexLength, "batch tokens, targets and token index");
        tokens = batchInts.SubView(0, rows);
        targets = batchInts.SubView(rows, rows);
        tokenIndex = batchInts.SubView(2 * rows, indexLength);
        logits = activations.Allocate<float>(rows * v, "logits");
        dLogits = activations.Allocate<float>(rows * v, "logit gradients");
        rowLoss = activations.Allocate<float>(rows, "per-character losses");
        if (Config.Dropout > 0)
        {
            topMask = activations.Allocate<float>(rows * h, "dropout mask");
            topDropped = activations.Allocate<float>(rows * h, "dropout output");
        }
        hostBatch = new int[2 * rows + indexLength];
        upload.Prepare(hostBatch.Length);
        Batch = batch;
        Steps = steps;
    }

    /// <summary>
    /// Uploads a batch given batch-major (row b·T + t, as get_batches returns it), reordering it
    /// time-major on the host with the targets and the tokens' <see cref="TokenIndex"/> into one
    /// buffer, sent in one copy (see <see cref="BatchUpload"/>: asynchronous on a GPU).
    /// </summary>
    public void SetBatch(int[] x, int[]? y)
    {
        int rows = Batch * Steps;
        var host = hostBatch.AsSpan();
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < Steps; t++)
            {
                host[t * Batch + b] = x[b * Steps + t];
                if (y != null) host[rows + t * Batch + b] = y[b * Steps + t];
            }
        TokenIndex.Build(host[..rows], Config.VocabSize, host[(2 * rows)..]);
        upload.Send(hostBatch, batchInts);
    }

    /// <summary>Forward over the uploaded batch; logits land in <see cref="Logits"/> (time-major rows).</summary>
    public void Forward(RecurrentState state, bool training, ulong seed, ulong stream)
    {
        var output = Rnn.Forward(RecurrentInput.FromTokens(tokens, tokenIndex, Config.VocabSize), state, training, seed, stream);
        int rows = Batch * Steps;
        if (training && Config.Dropout > 0)
        {
            ops.DropoutForward(output, topDropped, topMask, rows * Config.HiddenSize,
                new DropoutArgs(seed, stream + (ulong)Config.NumLayers, (float)Config.Dropout));
            output = topDropped;
        }
        Fc.Forward(output, logits, rows);
    }

    /// <summary>Mean cross-entropy of the last forward into Scalars[LossSlot], and dLogits for backward.</summary>
    public void Loss()
    {
        int rows = Batch * Steps;
        ops.SoftmaxCrossEntropy(logits, targets, rowLoss, dLogits, rows, Config.VocabSize, 1f / rows);
        ops.Sum(rowLoss, rows, scalars.View, LossSlot, 1f / rows, squared: false);
    }

    /// <summary>Zeroes the gradients, then backpropagates the last loss into them.</summary>
    public void Backward(bool training)
    {
        int rows = Batch * Steps;
        ops.Fill(Store.Gradients, Store.Count, 0f);
        bool dropped = training && Config.Dropout > 0;
        Fc.Backward(dropped ? topDropped : Rnn.Output, dLogits, Rnn.OutputGradient, rows);
        if (dropped)
            ops.DropoutBackward(Rnn.OutputGradient, topMask, Rnn.OutputGradient, rows * Config.HiddenSize);
        Rnn.Backward();
    }

    /// <summary>
    /// Optionally clamps each gradient to ±<paramref name="clamp"/> (char-rnn's clip), then Σg² →
    /// norm → clip factor in Scalars (factor 1 when <paramref name="maxNorm"/> ≤ 0).
    /// </summary>
    public void ClipGradients(float maxNorm, float clamp = 0f)
    {
        if (clamp > 0f) ops.Clamp(Store.Gradients, Store.Count, clamp);
        ops.Sum(Store.Gradients, Store.Count, scalars.View, SumSquaresSlot, 1f, squared: true);
        ops.ClipCoefficient(scalars.View, SumSquaresSlot, NormSlot, ClipSlot, maxNorm);
    }

    public float ReadScalar(int slot) => ops.ReadScalar(scalars.View, slot);

    /// <summary>Whether every weight is finite (Σw² is), checked before a checkpoint is written.</summary>
    public bool WeightsFinite()
    {
        ops.Sum(Store.Parameters, Store.Count, scalars.View, WeightSquaresSlot, 1f, squared: true);
        return float.IsFinite(ReadScalar(WeightSquaresSlot));
    }

    public void Dispose()
    {
        upload.Dispose();
        activations.Dispose();
        Rnn.Dispose();
        scalars.Dispose();
        Store.Dispose();
    }
}
