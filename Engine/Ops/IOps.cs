using ILGPU;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops;

/// <summary>
/// Every operation layers, models and training need, so that none of them calls ILGPU kernels
/// directly and a second implementation (a vectorized host one, a cuBLAS one) can stand in.
/// Shapes are in the kernel files; matrices are row-major; B batch, T time steps, I input width, H hidden units, V vocabulary;
/// G is the width of a cell's stacked gates (4H LSTM, 3H GRU, H RNN).
/// Gradients of parameters accumulate (+=); gradients of activations overwrite.
/// All calls are queued in order on one stream; only <see cref="ReadScalar"/> waits.
/// </summary>
internal interface IOps
{
    /// <summary>C[M,N] = alpha op(A) op(B) + beta C (+ bias[N]); A is K x M when transA, B is N x K when transB.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc, ArrayView<float>? bias = null);

    /// <summary>output[r, j] = weight[j, tokens[r]] + bias[j], weight G x V.</summary>
    void OneHotForward(ArrayView<int> tokens, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> output,
        int rows, int gateWidth, int vocab);

    /// <summary>
    /// dWeight[j, tokens[r]] += dOutput[r, j]; <paramref name="index"/> is the tokens'
    /// <see cref="Data.TokenIndex"/> (kernels use it to give each element of dW its own thread).
    /// </summary>
    void OneHotBackward(ArrayView<int> tokens, ArrayView<int> index, ArrayView<float> dOutput, ArrayView<float> dWeight,
        int rows, int gateWidth, int vocab);

    void LstmForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c,
        ArrayView<float> h, int batch, int hidden);

    void LstmBackward(ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> dh,
        ArrayView<float> dc, ArrayView<float> dGates, int batch, int hidden);

    void GruForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> h,
        int batch, int hidden);

    void GruBackward(ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> dh,
        ArrayView<float> dGx, ArrayView<float> dGh, ArrayView<float> dhPrev, int batch, int hidden);

    void RnnForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> h, int batch, int hidden);

    void RnnBackward(ArrayView<float> h, ArrayView<float> dh, ArrayView<float> dGates, int batch, int hidden);

    /// <summary>Floats <see cref="PrepareRecurrentWeights"/> writes for one layer of this cell and size.</summary>
    long RecurrentWeightsLength(CellKind cell, int hidden);

    /// <summary>
    /// W_hh (G x H) into the layout <see cref="RecurrentForwardStep"/> reads, once per forward pass
    /// (the weights do not change across its time steps): the kernels take W_hhᵀ (H x G, rows along
    /// the gates); the host path packs each block of units' columns of every gate contiguously.
    /// </summary>
    void PrepareRecurrentWeights(CellKind cell, ArrayView<float> wHh, ArrayView<float> prepared, int hidden);

    /// <summary>
    /// One forward time step of a recurrent layer: <c>gh = hPrev · W_hhᵀ + b_hh</c> (B x G), then
    /// the cell, as <see cref="LstmForward"/>, <see cref="GruForward"/> or <see cref="RnnForward"/>
    /// (gx in: x·W_ihᵀ + b_ih; out: the activated gates). The weights come as
    /// <see cref="PrepareRecurrentWeights"/> made them (<paramref name="wHhT"/>). Implementations fuse the two where they can: an output
    /// block holds every gate of its hidden units, so the cell needs no second pass over gh.
    /// gh is written for GRU (its backward reads it); for LSTM and RNN it is scratch an implementation may
    /// leave untouched. cPrev and c are used by LSTM only.
    /// </summary>
    void RecurrentForwardStep(CellKind cell, ArrayView<float> hPrev, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> hNext,
        int batch, int hidden);

    /// <summary>
    /// Floats <see cref="PrepareBackwardRecurrentWeights"/> writes for one layer of G x H weights;
    /// 0 where <see cref="RecurrentBackwardStep"/> reads W_hh as it is.
    /// </summary>
    long BackwardRecurrentWeightsLength(int gates, int hidden);

    /// <summary>W_hh (G x H) into the layout <see cref="RecurrentBackwardStep"/> reads, once per backward pass.</summary>
    void PrepareBackwardRecurrentWeights(ArrayView<float> wHh, ArrayView<float> prepared, int gates, int hidden);

    /// <summary>
    /// One backward time step's <c>dhPrev += dGh · W_hh</c> (B x G times G x H), W_hh given as it is
    /// and as <see cref="PrepareBackwardRecurrentWeights"/> made it (empty where its length is 0).
    /// </summary>
    void RecurrentBackwardStep(ArrayView<float> dGh, ArrayView<float> wHh, ArrayView<float> prepared, ArrayView<float> dhPrev,
        int batch, int gates, int hidden);

    /// <summary>
    /// All T forward steps of one layer (<see cref="RecurrentForwardStep"/> for t = 0..T-1) as one
    /// operation, where this implementation runs them better so: hs and cs hold T + 1 slots of B x H
    /// (slot 0 the initial state; cs LSTM only), gx and gh T slots of B x G (gh GRU only). False: it
    /// did nothing, and the caller runs the steps one by one. Either way the results are the same bits.
    /// Given <paramref name="input"/>, gx is not read: each step first makes its own slot as
    /// <see cref="OneHotForward"/> or the GEMM x·W_ihᵀ + b_ih would, so the projection never travels
    /// through memory alone; false where this implementation cannot (the caller projects, then calls without).
    /// </summary>
    bool RecurrentForwardSequence(CellKind cell, ArrayView<float> hs, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cs, int batch, int hidden, int steps,
        InputProjection? input = null);

    /// <summary>
    /// The whole backward time loop of one layer as one operation, where this implementation runs it
    /// better so: for t = T-1..0 the cell's backward (as <see cref="LstmBackward"/>, <see cref="GruBackward"/>,
    /// <see cref="RnnBackward"/>), then for t &gt; 0 <see cref="RecurrentBackwardStep"/> into slot t-1 of
    /// dhs. gates, dGx and dGh (the same view but for GRU) hold T slots of B x G, hs and cs T + 1 of B x H,
    /// dhs T of B x H; dc (LSTM) starts at zero; dh0 receives GRU's gradient into the initial state.
    /// False: it did nothing, and the caller runs the loop. Either way the results are the same bits.
    /// </summary>
    bool RecurrentBackwardSequence(CellKind cell, ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hs,
        ArrayView<float> cs, ArrayView<float> dhs, ArrayView<float> dc, ArrayView<float> dGx, ArrayView<float> dGh,
        ArrayView<float> dh0, ArrayView<float> wHh, int batch, int hidden, int steps);

    /// <summary>Per-row loss and dLogits = (softmax - onehot) * gradScale.</summary>
    void SoftmaxCrossEntropy(ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> rowLoss,
        ArrayView<float> dLogits, int rows, int vocab, float gradScale);

    void MeanSquaredError(ArrayView<float> prediction, ArrayView<float> target, ArrayView<float> squaredError,
        ArrayView<float> dPrediction, int count, float gradScale);

    /// <summary>result[slot] = scale * Σ values[0..count) (of squares when squared), deterministically.</summary>
    void Sum(ArrayView<float> values, int count, ArrayView<float> result, int slot, float scale, bool squared);

    /// <summary>output[col] += Σ_r input[r, col], and the same into <paramref name="second"/> when given.</summary>
    void ColumnSum(ArrayView<float> input, ArrayView<float> output, int rows, int cols, ArrayView<float>? second = null);

    /// <summary>
    /// A layer's gradients from its gate gradients dG (rows x gates) over all T·B rows: dW += dGᵀ·x
    /// (gates x width), bias += Σ_rows dG (and <paramref name="secondBias"/>, where both biases share
    /// dG), and, given <paramref name="tokens"/>, dG's one-hot gradient into their W_ih. The results of
    /// <see cref="Gemm"/>, <see cref="ColumnSum"/> and <see cref="OneHotBackward"/> in turn, bit for
    /// bit; an implementation may make them in fewer passes over dG.
    /// </summary>
    void RecurrentWeightGradients(ArrayView<float> dG, ArrayView<float> x, ArrayView<float> dW, int rows, int gates, int width,
        ArrayView<float> bias, ArrayView<float>? secondBias, OneHotGradient? tokens) =>
        WeightGradientsInTurn(this, dG, x, dW, rows, gates, width, bias, secondBias, tokens);

    /// <summary><see cref="RecurrentWeightGradients"/> as its three operations, one after another.</summary>
    static void WeightGradientsInTurn(IOps ops, ArrayView<float> dG, ArrayView<float> x, ArrayView<float> dW, int rows, int gates,
        int width, ArrayView<float> bias, ArrayView<float>? secondBias, OneHotGradient? tokens)
    {
        ops.Gemm(true, false, gates, width, rows, 1f, dG, gates, x, width, 1f, dW, width);
        ops.ColumnSum(dG, bias, rows, gates, secondBias);
        if (tokens is { } t) ops.OneHotBackward(t.Tokens, t.Index, dG, t.WeightIh, rows, gates, t.Vocab);
    }

    /// <summary>From scalars[sumSqSlot] = Σg², writes the norm and min(1, maxNorm/(norm+1e-6)).</summary>
    void ClipCoefficient(ArrayView<float> scalars, int sumSqSlot, int normSlot, int coefSlot, float maxNorm);

    void Clamp(ArrayView<float> values, int count, float limit);

    void Adam(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> scalars, int coefSlot, OptimizerArgs args, int count);

    void Sgd(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> momentum, ArrayView<float> scalars,
        int coefSlot, OptimizerArgs args, int count);

    void RmsProp(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> square, ArrayView<float> scalars,
        int coefSlot, OptimizerArgs args, int count);

    void DropoutForward(ArrayView<float> input, ArrayView<float> output, ArrayView<float> mask, int count,
        DropoutArgs args);

    void DropoutBackward(ArrayView<float> dOutput, ArrayView<float> mask, ArrayView<float> dInput, int count);

    void Fill(ArrayView<float> target, int count, float value);

    void Copy(ArrayView<float> source, ArrayView<float> target);

    /// <summary>
    /// Reorders rows between batch-major (b*T+t) and time-major (t*B+b). With width 1 this is the
    /// transpose of a batch x steps matrix.
    /// </summary>
    void Transpose(ArrayView<float> source, ArrayView<float> target, int batch, int steps, int width, bool toTimeMajor);

    /// <summary>Waits for the stream and copies a view to the host (sampling, checkpoints; never in a training step).</summary>
    void Download(ArrayView<float> source, float[] target);

    /// <summary>Waits for the stream and reads one float: the only read-back a training step makes.</summary>
    float ReadScalar(ArrayView<float> values, int index);
}
