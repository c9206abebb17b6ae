using System.Diagnostics;
using ILGPU;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// Where a training step's time goes: every operation of the step timed and added to the phase it
/// belongs to, with the GEMMs told apart by their shape (the input projection multiplies by W_ihᵀ,
/// the output layer has the vocabulary as a side, the weight gradients are the transposed-A
/// products over all time steps, backward time steps multiply one batch of gates by W_hh).
/// Each call waits for the device before and after, so on a GPU the phases lose their overlap:
/// there the profile says where work is, not how long an unprofiled step takes.
/// </summary>
internal sealed class PhaseProfile(IOps inner, Action synchronize) : IOps
{
    /// <summary>The shape being profiled: the GEMMs are told apart by it.</summary>
    public int Batch { get; set; }

    /// <inheritdoc cref="Batch"/>
    public int Vocab { get; set; }

    /// <summary>The phases in the order of a step, as the table prints them.</summary>
    public static readonly string[] Phases =
    [
        "one-hot input (gather, and its gradient)", "input-projection GEMMs (x·W_ihᵀ, layers above the first)",
        "recurrent forward steps (h·W_hhᵀ + cell; input projection where fused)", "cell (forward, unfused)", "dropout", "output layer GEMMs (forward, dx)",
        "softmax and cross-entropy", "backward recurrent steps (dG·W_hh; with the cell where fused)", "cell backward", "input-gradient GEMMs (dG·W_ih)",
        "weight-gradient GEMMs (all time steps; with dW_hh, the bias and one-hot gradients)", "bias gradients", "clip (norm, clamp)", "optimizer", "copies, fills, transposes",
        "read-back",
    ];

    private readonly Dictionary<string, (double Ms, double Flops, long Calls)> totals = Phases.ToDictionary(p => p, _ => (0.0, 0.0, 0L));

    /// <summary>Time, floating-point work and calls per phase since the last <see cref="Reset"/>.</summary>
    public IReadOnlyDictionary<string, (double Ms, double Flops, long Calls)> Totals => totals;

    public void Reset()
    {
        foreach (var p in Phases) totals[p] = (0, 0, 0);
    }

    private void Time(string phase, double flops, Action run)
    {
        synchronize();
        long start = Stopwatch.GetTimestamp();
        run();
        synchronize();
        var (ms, f, calls) = totals[phase];
        totals[phase] = (ms + Stopwatch.GetElapsedTime(start).TotalMilliseconds, f + flops, calls + 1);
    }

    private string GemmPhase(bool transA, bool transB, int m, int n, int k)
    {
        if (transA) return Phases[10];
        if (n == Vocab || k == Vocab) return Phases[5];
        if (transB) return Phases[1];
        return m == Batch ? Phases[7] : Phases[9];
    }

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda, ArrayView<float> b,
        int ldb, float beta, ArrayView<float> c, int ldc, ArrayView<float>? bias = null) =>
        Time(GemmPhase(transA, transB, m, n, k), 2.0 * m * n * k,
            () => inner.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias));

    public void OneHotForward(ArrayView<int> tokens, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> output, int rows,
        int gateWidth, int vocabSize) =>
        Time(Phases[0], 0, () => inner.OneHotForward(tokens, weight, bias, output, rows, gateWidth, vocabSize));

    public void OneHotBackward(ArrayView<int> tokens, ArrayView<int> index, ArrayView<float> dOutput, ArrayView<float> dWeight, int rows,
        int gateWidth, int vocabSize) =>
        Time(Phases[0], 0, () => inner.OneHotBackward(tokens, index, dOutput, dWeight, rows, gateWidth, vocabSize));

    public void LstmForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> h,
        int b, int hidden) => Time(Phases[3], 0, () => inner.LstmForward(gx, gh, cPrev, c, h, b, hidden));

    public void LstmBackward(ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> dc,
        ArrayView<float> dGates, int b, int hidden) => Time(Phases[8], 0, () => inner.LstmBackward(gates, cPrev, c, dh, dc, dGates, b, hidden));

    public void GruForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> h, int b, int hidden) =>
        Time(Phases[3], 0, () => inner.GruForward(gx, gh, hPrev, h, b, hidden));

    public void GruBackward(ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> dh, ArrayView<float> dGx,
        ArrayView<float> dGh, ArrayView<float> dhPrev, int b, int hidden) =>
        Time(Phases[8], 0, () => inner.GruBackward(gates, gh, hPrev, dh, dGx, dGh, dhPrev, b, hidden));

    public void RnnForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> h, int b, int hidden) =>
        Time(Phases[3], 0, () => inner.RnnForward(gx, gh, h, b, hidden));

    public void RnnBackward(ArrayView<float> h, ArrayView<float> dh, ArrayView<float> dGates, int b, int hidden) =>
        Time(Phases[8], 0, () => inner.RnnBackward(h, dh, dGates, b, hidden));

    public void RecurrentForwardStep(CellKind cell, ArrayView<float> hPrev, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> hNext, int b, int hidden) =>
        Time(Phases[2], 2.0 * b * hidden * CellCodes.Gates((int)cell) * hidden,
            () => inner.RecurrentForwardStep(cell, hPrev, wHhT, bHh, gx, gh, cPrev, c, hNext, b, hidden));

    public bool RecurrentForwardSequence(CellKind cell, ArrayView<float> hs, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cs, int b, int hidden, int steps,
        InputProjection? input = null)
    {
        bool ran = false;
        Time(Phases[2], 0, () => ran = inner.RecurrentForwardSequence(cell, hs, wHhT, bHh, gx, gh, cs, b, hidden, steps, input));
        int width = input is { Input.IsTokens: false } dense ? dense.Input.Width : 0; // x·W_ihᵀ inside, where dense
        if (ran) Count(Phases[2], 2.0 * b * CellCodes.Gates((int)cell) * hidden * (hidden + width) * steps);
        else Uncount(Phases[2]);
        return ran;
    }

    public bool RecurrentBackwardSequence(CellKind cell, ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hs,
        ArrayView<float> cs, ArrayView<float> dhs, ArrayView<float> dc, ArrayView<float> dGx, ArrayView<float> dGh,
        ArrayView<float> dh0, ArrayView<float> wHh, int b, int hidden, int steps)
    {
        bool ran = false;
        Time(Phases[7], 0, () => ran = inner.RecurrentBackwardSequence(cell, gates, gh, hs, cs, dhs, dc, dGx, dGh, dh0, wHh, b, hidden, steps));
        if (ran) Count(Phases[7], 2.0 * b * hidden * CellCodes.Gates((int)cell) * hidden * (steps - 1));
        else Uncount(Phases[7]);
        return ran;
    }

    /// <summary>Adds work to a phase's last timed call.</summary>
    private void Count(string phase, double flops)
    {
        var (ms, f, calls) = totals[phase];
        totals[phase] = (ms, f + flops, calls);
    }

    /// <summary>Takes back a call that did nothing (an implementation declining a sequence): its time is the check's.</summary>
    private void Uncount(string phase)
    {
        var (ms, f, calls) = totals[phase];
        totals[phase] = (ms, f, calls - 1);
    }

    public long RecurrentWeightsLength(CellKind cell, int hidden) => inner.RecurrentWeightsLength(cell, hidden);

    public void PrepareRecurrentWeights(CellKind cell, ArrayView<float> wHh, ArrayView<float> prepared, int hidden) =>
        Time(Phases[14], 0, () => inner.PrepareRecurrentWeights(cell, wHh, prepared, hidden));

    public long BackwardRecurrentWeightsLength(int gates, int hidden) => inner.BackwardRecurrentWeightsLength(gates, hidden);

    public void PrepareBackwardRecurrentWeights(ArrayView<float> wHh, ArrayView<float> prepared, int gates, int hidden) =>
        Time(Phases[14], 0, () => inner.PrepareBackwardRecurrentWeights(wHh, prepared, gates, hidden));

    public void RecurrentBackwardStep(ArrayView<float> dGh, ArrayView<float> wHh, ArrayView<float> prepared, ArrayView<float> dhPrev,
        int batch, int gates, int hidden) =>
        Time(Phases[7], 2.0 * batch * gates * hidden, () => inner.RecurrentBackwardStep(dGh, wHh, prepared, dhPrev, batch, gates, hidden));

    public void SoftmaxCrossEntropy(ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> rowLoss, ArrayView<float> dLogits,
        int rows, int vocabSize, float gradScale) =>
        Time(Phases[6], 0, () => inner.SoftmaxCrossEntropy(logits, targets, rowLoss, dLogits, rows, vocabSize, gradScale));

    public void MeanSquaredError(ArrayView<float> prediction, ArrayView<float> target, ArrayView<float> squaredError,
        ArrayView<float> dPrediction, int count, float gradScale) =>
        Time(Phases[6], 0, () => inner.MeanSquaredError(prediction, target, squaredError, dPrediction, count, gradScale));

    public void Sum(ArrayView<float> values, int count, ArrayView<float> result, int slot, float scale, bool squared) =>
        Time(squared ? Phases[12] : Phases[6], 0, () => inner.Sum(values, count, result, slot, scale, squared));

    public void ColumnSum(ArrayView<float> input, ArrayView<float> output, int rows, int cols, ArrayView<float>? second = null) =>
        Time(Phases[11], 0, () => inner.ColumnSum(input, output, rows, cols, second));

    /// <summary>Under the weight-gradient GEMMs, with the bias and one-hot gradients it may make in the same pass.</summary>
    public void RecurrentWeightGradients(ArrayView<float> dG, ArrayView<float> x, ArrayView<float> dW, int rows, int gates, int width,
        ArrayView<float> bias, ArrayView<float>? secondBias, OneHotGradient? tokens) =>
        Time(Phases[10], 2.0 * gates * width * rows,
            () => inner.RecurrentWeightGradients(dG, x, dW, rows, gates, width, bias, secondBias, tokens));

    public void ClipCoefficient(ArrayView<float> scalars, int sumSqSlot, int normSlot, int coefSlot, float maxNorm) =>
        Time(Phases[12], 0, () => inner.ClipCoefficient(scalars, sumSqSlot, normSlot, coefSlot, maxNorm));

    public void Clamp(ArrayView<float> values, int count, float limit) => Time(Phases[12], 0, () => inner.Clamp(values, count, limit));

    public void Adam(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, ArrayView<float> scalars,
        int coefSlot, OptimizerArgs args, int count) => Time(Phases[13], 0, () => inner.Adam(param, grad, m, v, scalars, coefSlot, args, count));

    public void Sgd(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> momentum, ArrayView<float> scalars, int coefSlot,
        OptimizerArgs args, int count) => Time(Phases[13], 0, () => inner.Sgd(param, grad, momentum, scalars, coefSlot, args, count));

    public void RmsProp(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> square, ArrayView<float> scalars, int coefSlot,
        OptimizerArgs args, int count) => Time(Phases[13], 0, () => inner.RmsProp(param, grad, square, scalars, coefSlot, args, count));

    public void DropoutForward(ArrayView<float> input, ArrayView<float> output, ArrayView<float> mask, int count, DropoutArgs args) =>
        Time(Phases[4], 0, () => inner.DropoutForward(input, output, mask, count, args));

    public void DropoutBackward(ArrayView<float> dOutput, ArrayView<float> mask, ArrayView<float> dInput, int count) =>
        Time(Phases[4], 0, () => inner.DropoutBackward(dOutput, mask, dInput, count));

    public void Fill(ArrayView<float> target, int count, float value) => Time(Phases[14], 0, () => inner.Fill(target, count, value));

    public void Copy(ArrayView<float> source, ArrayView<float> target) => Time(Phases[14], 0, () => inner.Copy(source, target));

    public void Transpose(ArrayView<float> source, ArrayView<float> target, int b, int steps, int width, bool toTimeMajor) =>
        Time(Phases[14], 0, () => inner.Transpose(source, target, b, steps, width, toTimeMajor));

    public void Download(ArrayView<float> source, float[] target) => Time(Phases[15], 0, () => inner.Download(source, target));

    public float ReadScalar(ArrayView<float> values, int index)
    {
        float value = 0;
        Time(Phases[15], 0, () => value = inner.ReadScalar(values, index));
        return value;
    }
}
