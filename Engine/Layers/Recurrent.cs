using ILGPU;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Tensors;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Layers;

/// <summary>
/// A multi-layer LSTM, GRU or tanh-RNN with PyTorch's semantics, parameter names and shapes
/// (<c>{prefix}.weight_ih_l{k}</c> (G·H, in), <c>weight_hh_l{k}</c> (G·H, H), <c>bias_ih_l{k}</c>,
/// <c>bias_hh_l{k}</c>), and dropout on every layer's output but the last, in training only.
/// Activations are time-major inside; <see cref="Prepare"/> sizes them for one (B, T) and
/// reallocates only when that changes, between steps. The state passed to <c>Forward</c>
/// is read as the initial state and overwritten with the final one (carried, detached).
/// Backward is truncated BPTT over the T steps of the last forward: no gradient reaches the
/// initial state, as with PyTorch's detached hidden state.
/// </summary>
internal sealed class Recurrent : IDisposable
{
    private readonly ComputeDevice device;
    private readonly IOps ops;
    private readonly LayerViews[] parameters;
    private readonly LayerViews[] gradients;
    private readonly ParameterStore store;
    /// <summary>The store version each layer's W_hhᵀ was made from; -1: not yet.</summary>
    private long[] transposedVersion = [];
    private RecurrentLayerBuffers[] buffers = [];
    private BufferGroup? extras;
    private RecurrentState? defaultState;
    private bool hasInputGradient;
    private ArrayView<float> inputGradient, inputTimeMajor, outputBatchFirst, outputGradientBatchFirst, inputGradientBatchFirst;
    private RecurrentInput lastInput;
    private bool lastTraining;

    public Recurrent(ComputeDevice device, ParameterStore store, string prefix, CellKind cell, int inputSize,
        int hiddenSize, int numLayers, float dropout, bool batchFirst = false)
    {
        BatchFirst = batchFirst;
        this.device = device;
        ops = device.Ops;
        Cell = cell; InputSize = inputSize; HiddenSize = hiddenSize; NumLayers = numLayers; Dropout = dropout;
        // Views are resolved once here, so the step loops do no name lookups.
        this.store = store;
        parameters = new LayerViews[numLayers];
        gradients = new LayerViews[numLayers];
        for (int l = 0; l < numLayers; l++)
        {
            parameters[l] = LayerViews.Of(store.Parameters, store.Layout, prefix, l);
            gradients[l] = LayerViews.Of(store.Gradients, store.Layout, prefix, l);
        }
    }

    public CellKind Cell { get; }
    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public float Dropout { get; }
    /// <summary>
    /// Dense inputs, outputs and their gradients are (batch, seq, feature) as with PyTorch's
    /// batch_first=True; otherwise (seq, batch, feature). Token inputs are always time-major.
    /// The hidden state is (layers, batch, hidden) either way.
    /// </summary>
    public bool BatchFirst { get; }
    public int Batch { get; private set; }
    public int Steps { get; private set; }

    private int G => Cell.Gates() * HiddenSize;

    /// <summary>Adds this module's parameters to a layout, in PyTorch's state_dict order.</summary>
    public static void AddParameters(ParameterLayout layout, string prefix, CellKind cell, int inputSize,
        int hiddenSize, int numLayers)
    {
        int g = cell.Gates() * hiddenSize;
        for (int l = 0; l < numLayers; l++)
        {
            layout.Add($"{prefix}.weight_ih_l{l}", g, l == 0 ? inputSize : hiddenSize);
            layout.Add($"{prefix}.weight_hh_l{l}", g, hiddenSize);
            layout.Add($"{prefix}.bias_ih_l{l}", g);
            layout.Add($"{prefix}.bias_hh_l{l}", g);
        }
    }

    /// <summary>
    /// Sizes the activations for (batch, steps); a no-op when unchanged. With
    /// <paramref name="inputGradient"/>, backward also computes dL/dx of a dense input.
    /// </summary>
    public void Prepare(int batch, int steps, bool inputGradient = false)
    {
        if (batch == Batch && steps == Steps && buffers.Length == NumLayers && inputGradient == hasInputGradient)
            return;
        DisposeBuffers();
        extras = new BufferGroup(device);
        defaultState = new RecurrentState(device, Cell, NumLayers, batch, HiddenSize);
        long rows = (long)batch * steps;
        hasInputGradient = inputGradient;
        if (inputGradient)
            this.inputGradient = extras.Allocate<float>(rows * InputSize, "input gradient");
        if (BatchFirst)
        {
            inputTimeMajor = extras.Allocate<float>(rows * InputSize, "time-major input");
            outputBatchFirst = extras.Allocate<float>(rows * HiddenSize, "batch-first output");
            outputGradientBatchFirst = extras.Allocate<float>(rows * HiddenSize, "batch-first output gradient");
            if (inputGradient) inputGradientBatchFirst = extras.Allocate<float>(rows * InputSize, "batch-first input gradient");
        }
        buffers = new RecurrentLayerBuffers[NumLayers];
        transposedVersion = Enumerable.Repeat(-1L, NumLayers).ToArray();
        for (int l = 0; l < NumLayers; l++)
            buffers[l] = new RecurrentLayerBuffers(device, Cell, batch, steps, HiddenSize,
                dropped: l < NumLayers - 1 && Dropout > 0);
        Batch = batch;
        Steps = steps;
    }

    /// <summary>The top layer's outputs (B·T or T·B rows of H, see <see cref="BatchFirst"/>), valid after <c>Forward</c>.</summary>
    public ArrayView<float> Output => BatchFirst ? outputBatchFirst : HiddenStates(NumLayers - 1);

    /// <summary>dL/dx of a dense input after <see cref="Backward"/> (layout as the input), when prepared with inputGradient.</summary>
    public ArrayView<float> InputGradient => !hasInputGradient
        ? throw new InvalidOperationException("prepare with inputGradient: true to get dL/dx")
        : BatchFirst ? inputGradientBatchFirst : inputGradient;

    /// <summary>Where the caller writes dL/dOutput (layout as <see cref="Output"/>) before <see cref="Backward"/>.</summary>
    public ArrayView<float> OutputGradient => BatchFirst ? outputGradientBatchFirst : buffers[NumLayers - 1].DHs;

    /// <summary>
    /// PyTorch's <c>rnn(x)</c> without a hidden state: starts from zeros and leaves the new state,
    /// shaped (layers, batch, hidden), in <see cref="DefaultState"/>.
    /// </summary>
    public ArrayView<float> Forward(RecurrentInput input, bool training = false, ulong seed = 0, ulong stream = 0)
    {
        var state = DefaultState;
        state.Reset();
        return Forward(input, state, training, seed, stream);
    }

    /// <summary>The state used and left by <see cref="Forward(RecurrentInput, bool, ulong, ulong)"/>.</summary>
    public RecurrentState DefaultState => defaultState ?? throw new InvalidOperationException("call Prepare first");

    public ArrayView<float> Forward(RecurrentInput input, RecurrentState state, bool training, ulong seed, ulong stream)
    {
        if (state.Batch != Batch || state.Layers != NumLayers || state.Hidden != HiddenSize)
            throw new ArgumentException($"state is ({state.Layers}, {state.Batch}, {state.Hidden}), expected ({NumLayers}, {Batch}, {HiddenSize})");
        if (BatchFirst && !input.IsTokens)
        {
            ops.Transpose(input.Dense, inputTimeMajor, Batch, Steps, input.Width, toTimeMajor: true);
            input = RecurrentInput.FromDense(inputTimeMajor, input.Width);
        }
        lastInput = input;
        lastTraining = training;
        int b = Batch, h = HiddenSize, g = G, rows = Batch * Steps;
        long bh = (long)b * h, bg = (long)b * g;
        var layerInput = input;
        // Layer by layer, not as a wavefront (layer l at step t beside layer l+1 at step t-1): the
        // wavefront needs a second stream and an event per step and layer so each layer waits only
        // for its own input, and ILGPU 1.5.3 has streams but no events to order one stream after
        // another without a host synchronize (AcceleratorStream.Synchronize blocks the host; a
        // ProfilingMarker only lets the host wait). Parallelism comes from within a step instead:
        // the fused step launches 256 groups at the lesson's shape (not yet timed on a GPU).
        for (int l = 0; l < NumLayers; l++)
        {
            var buf = buffers[l];
            var wHh = parameters[l].WeightHh;
            var bHh = parameters[l].BiasHh;
            ops.Copy(state.LayerH(l), buf.Hs.SubView(0, bh));
            if (Cell == CellKind.Lstm) ops.Copy(state.LayerC(l), buf.Cs.SubView(0, bh));
            if (transposedVersion[l] != store.Version)
            {
                ops.PrepareRecurrentWeights(Cell, wHh, buf.WeightHhT, h);
                transposedVersion[l] = store.Version;
            }
            // The input goes to the time loop where it runs as one operation: it projects each step's
            // rows just before their cell reads them, so gx is written once, not written then read.
            bool sequence = ops.RecurrentForwardSequence(Cell, buf.Hs, buf.WeightHhT, bHh, buf.Gx, buf.Gh, buf.Cs, b, h, Steps,
                new InputProjection(layerInput, parameters[l].WeightIh, parameters[l].BiasIh));
            if (!sequence)
            {
                Project(layerInput, l, buf.Gx, rows);
                sequence = ops.RecurrentForwardSequence(Cell, buf.Hs, buf.WeightHhT, bHh, buf.Gx, buf.Gh, buf.Cs, b, h, Steps);
            }
            for (int t = 0; t < Steps && !sequence; t++)
            {
                bool lstm = Cell == CellKind.Lstm;
                ops.RecurrentForwardStep(Cell, buf.Hs.SubView(t * bh, bh), buf.WeightHhT, bHh, buf.Gx.SubView(t * bg, bg),
                    Cell == CellKind.Gru ? buf.Gh.SubView(t * bg, bg) : buf.Gh,
                    lstm ? buf.Cs.SubView(t * bh, bh) : default, lstm ? buf.Cs.SubView((t + 1) * bh, bh) : default,
                    buf.Hs.SubView((t + 1) * bh, bh), b, h);
            }
            ops.Copy(buf.Hs.SubView(Steps * bh, bh), state.LayerH(l));
            if (Cell == CellKind.Lstm) ops.Copy(buf.Cs.SubView(Steps * bh, bh), state.LayerC(l));
            var output = HiddenStates(l);
            if (l < NumLayers - 1 && training && Dropout > 0)
            {
                ops.DropoutForward(output, buf.Dropped, buf.Mask, rows * h, new DropoutArgs(seed, stream + (ulong)l, Dropout));
                output = buf.Dropped;
            }
            layerInput = RecurrentInput.FromDense(output, h);
        }
        if (BatchFirst)
            ops.Transpose(HiddenStates(NumLayers - 1), outputBatchFirst, Batch, Steps, h, toTimeMajor: false);
        return Output;
    }

    /// <summary>
    /// Backpropagates <see cref="OutputGradient"/> through the last forward, adding into the
    /// parameter gradients. Overwrites every layer's output gradient buffer.
    /// </summary>
    public void Backward()
    {
        int b = Batch, h = HiddenSize, g = G, rows = Batch * Steps;
        long bh = (long)b * h, bg = (long)b * g;
        if (BatchFirst)
            ops.Transpose(outputGradientBatchFirst, buffers[NumLayers - 1].DHs, Batch, Steps, h, toTimeMajor: true);
        for (int l = NumLayers - 1; l >= 0; l--)
        {
            var buf = buffers[l];
            var wHh = parameters[l].WeightHh;
            if (Cell == CellKind.Lstm) ops.Fill(buf.Dc, b * h, 0f);
            bool sequence = ops.RecurrentBackwardSequence(Cell, buf.Gx, buf.Gh, buf.Hs, buf.Cs, buf.DHs, buf.Dc, buf.DGx,
                buf.DGh, buf.Scratch, wHh, b, h, Steps);
            if (Steps > 1 && !sequence) ops.PrepareBackwardRecurrentWeights(wHh, buf.WeightHhBackward, g, h);
            for (int t = Steps - 1; t >= 0 && !sequence; t--)
            {
                var dh = buf.DHs.SubView(t * bh, bh);
                var dGx = buf.DGx.SubView(t * bg, bg);
                var dGh = buf.DGh.SubView(t * bg, bg);
                var dhPrev = t > 0 ? buf.DHs.SubView((t - 1) * bh, bh) : buf.Scratch;
                switch (Cell)
                {
                    case CellKind.Lstm:
                        ops.LstmBackward(buf.Gx.SubView(t * bg, bg), buf.Cs.SubView(t * bh, bh),
                            buf.Cs.SubView((t + 1) * bh, bh), dh, buf.Dc, dGx, b, h);
                        break;
                    case CellKind.Gru:
                        ops.GruBackward(buf.Gx.SubView(t * bg, bg), buf.Gh.SubView(t * bg, bg), buf.Hs.SubView(t * bh, bh),
                            dh, dGx, dGh, dhPrev, b, h);
                        break;
                    default:
                        ops.RnnBackward(buf.Hs.SubView((t + 1) * bh, bh), dh, dGx, b, h);
                        break;
                }
                if (t > 0) ops.RecurrentBackwardStep(dGh, wHh, buf.WeightHhBackward, dhPrev, b, g, h);
            }
            var input = l == 0 ? lastInput : RecurrentInput.FromDense(LayerInputOf(l), h);
            bool gru = Cell == CellKind.Gru;
            // dW_hh with what else reads dGh: LSTM and RNN have one gradient for both biases (dGh is
            // dGx), and then their first layer's one-hot gradient too.
            ops.RecurrentWeightGradients(buf.DGh, buf.Hs, gradients[l].WeightHh, rows, g, h,
                gru ? gradients[l].BiasHh : gradients[l].BiasIh, gru ? null : gradients[l].BiasHh,
                input.IsTokens && !gru ? new OneHotGradient(input.Tokens, input.TokenIndex, gradients[l].WeightIh, input.Width) : null);
            if (gru) ops.ColumnSum(buf.DGx, gradients[l].BiasIh, rows, g);
            if (input.IsTokens && gru)
                ops.OneHotBackward(input.Tokens, input.TokenIndex, buf.DGx, gradients[l].WeightIh, rows, g, input.Width);
            else if (!input.IsTokens)
                ops.Gemm(true, false, g, input.Width, rows, 1f, buf.DGx, g, input.Dense, input.Width, 1f,
                    gradients[l].WeightIh, input.Width);
            if (l == 0 && hasInputGradient && !input.IsTokens)
            {
                ops.Gemm(false, false, rows, input.Width, g, 1f, buf.DGx, g, parameters[0].WeightIh, input.Width, 0f,
                    inputGradient, input.Width);
                if (BatchFirst)
                    ops.Transpose(inputGradient, inputGradientBatchFirst, Batch, Steps, input.Width, toTimeMajor: false);
            }
            if (l > 0)
            {
                var below = buffers[l - 1];
                ops.Gemm(false, false, rows, h, g, 1f, buf.DGx, g, parameters[l].WeightIh, h, 0f, below.DHs, h);
                if (lastTraining && Dropout > 0)
                    ops.DropoutBackward(below.DHs, below.Mask, below.DHs, rows * h);
            }
        }
    }

    /// <summary>Outputs of layer l, (T·B, H): slots 1..T of its hidden states.</summary>
    private ArrayView<float> HiddenStates(int l) =>
        buffers[l].Hs.SubView((long)Batch * HiddenSize, (long)Batch * Steps * HiddenSize);

    /// <summary>What layer l (> 0) read in the last forward: the layer below's output, dropped if training.</summary>
    private ArrayView<float> LayerInputOf(int l) =>
        lastTraining && Dropout > 0 ? buffers[l - 1].Dropped : HiddenStates(l - 1);

    private void Project(RecurrentInput input, int l, ArrayView<float> gx, int rows)
    {
        var w = parameters[l].WeightIh;
        var bias = parameters[l].BiasIh;
        if (input.IsTokens)
            ops.OneHotForward(input.Tokens, w, bias, gx, rows, G, input.Width);
        else
            ops.Gemm(false, true, rows, G, input.Width, 1f, input.Dense, input.Width, w, input.Width, 0f, gx, G, bias);
    }

    /// <summary>The four tensors of one layer inside a flat buffer (parameters or gradients).</summary>
    private readonly record struct LayerViews(ArrayView<float> WeightIh, ArrayView<float> WeightHh,
        ArrayView<float> BiasIh, ArrayView<float> BiasHh)
    {
        public static LayerViews Of(ArrayView<float> flat, ParameterLayout layout, string prefix, int l) => new(
            ParameterStore.Slice(flat, layout[$"{prefix}.weight_ih_l{l}"]),
            ParameterStore.Slice(flat, layout[$"{prefix}.weight_hh_l{l}"]),
            ParameterStore.Slice(flat, layout[$"{prefix}.bias_ih_l{l}"]),
            ParameterStore.Slice(flat, layout[$"{prefix}.bias_hh_l{l}"]));
    }

    private void DisposeBuffers()
    {
        for (int i = buffers.Length - 1; i >= 0; i--) buffers[i].Dispose();
        buffers = [];
        extras?.Dispose();
        extras = null;
        defaultState?.Dispose();
        defaultState = null;
        hasInputGradient = false;
        Batch = 0;
        Steps = 0;
    }

    public void Dispose() => DisposeBuffers();
}
