using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using ILGPU;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Kernels;
using static IlgpuLstm.Engine.Ops.Host.HostMemory;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// <see cref="IOps"/> as vectorized host code over the CPU accelerator's (host) memory: the fast
/// CPU path. ILGPU's CPU accelerator runs every kernel thread as an OS thread meeting at barriers
/// (docs/ILGPU-NOTES.md §1-2), a few hundred µs a launch; here each op is a SIMD loop or a
/// <see cref="TensorPrimitives"/> call, split over the cores by <see cref="WorkerPool"/> in chunks
/// chosen from the problem size only, so results are the same for any thread count. Each op
/// follows its kernel's contract (Kernels/); results agree with the kernels to float rounding.
/// The cells and the per-time-step ops live in <see cref="HostLstmCell"/>, <see cref="HostGruCell"/> and <see cref="HostRnnCell"/>, the update rules in
/// <see cref="HostOptimizers"/>.
/// </summary>
internal sealed unsafe class HostOps : IOps, IDisposable
{
    /// <summary>Elements below which an element-wise op runs on the calling thread alone.</summary>
    internal const int Grain = 16384;
    /// <summary>
    /// Columns per chunk of a column-wise sum over all rows (bias and one-hot gradients): a chunk reads
    /// 1 KB of every row; 16 columns (64 B of 8 KB rows at the lesson's shape) ran 3.3x slower.
    /// </summary>
    private const int ColumnBand = 256;
    /// <summary>Elements per partial sum of <see cref="Sum"/>: fixed, so the sum's order is.</summary>
    private const int SumChunk = 8192;

    private readonly HostScratch scratch;
    private readonly HostGemm gemm;
    private float[] partials = new float[64];

    private readonly DeviceCounters counters;

    /// <param name="threads">Worker threads, the calling thread included.</param>
    /// <param name="counters">Where each operation counts as one dispatch (the host path launches no kernels).</param>
    public HostOps(int threads, DeviceCounters counters)
    {
        this.counters = counters;
        scratch = new HostScratch(counters);
        Pool = new WorkerPool(threads);
        gemm = new HostGemm(Pool, scratch);
    }

    public WorkerPool Pool { get; }

    /// <summary>Chunks for <paramref name="work"/> units of <paramref name="grain"/> each, at most 64.</summary>
    internal static int Chunks(long work, long grain) => (int)Math.Clamp((work + grain - 1) / grain, 1, 64);

    /// <summary>[start, end) of chunk <paramref name="chunk"/> of <paramref name="chunks"/> over count items.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (int Start, int End) Range(int count, int chunks, int chunk) =>
        ((int)((long)count * chunk / chunks), (int)((long)count * (chunk + 1) / chunks));

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc, ArrayView<float>? bias = null)
    {
        counters.Launched();
        if (m == 0 || n == 0) return;
        gemm.Run(Address(a), Address(b), Address(c), bias is { } bv ? Address(bv) : null,
            new GemmArgs(m, n, k, transA, transB, lda, ldb, ldc, alpha, beta, bias.HasValue));
    }

    public void OneHotForward(ArrayView<int> tokens, ArrayView<float> weight, ArrayView<float> bias,
        ArrayView<float> output, int rows, int gateWidth, int vocab)
    {
        counters.Launched();
        float* w = Address(weight);
        if (rows < vocab)
        {
            // Fewer rows than W has columns (sampling: one): gathering beats transposing W.
            int* ids = Address(tokens);
            float* b = Address(bias), o = Address(output);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < gateWidth; j++)
                    o[(nint)r * gateWidth + j] = w[(nint)j * vocab + ids[r]] + b[j];
            return;
        }
        float* wt = TransposedInputWeights(w, gateWidth, vocab);
        var args = new OneHotArgs
        {
            Tokens = Address(tokens),
            WeightT = wt,
            Bias = Address(bias),
            Out = Address(output),
            Rows = rows,
            G = gateWidth,
            Vocab = vocab
        };
        args.Chunks = Chunks((long)rows * gateWidth, Grain);
        Pool.Run(&OneHotForwardChunk, (nint)(&args), args.Chunks);
    }

    /// <summary>
    /// W_ih (G x V) transposed into the scratch: gathering a column of W is strided; transposed,
    /// each projected row is one contiguous add.
    /// </summary>
    private float* TransposedInputWeights(float* w, int gateWidth, int vocab)
    {
        float* wt = scratch.Transposed((long)vocab * gateWidth);
        for (int j = 0; j < gateWidth; j++)
            for (int v = 0; v < vocab; v++)
                wt[(nint)v * gateWidth + j] = w[(nint)j * vocab + v];
        return wt;
    }

    /// <summary>Row <paramref name="row"/> of a one-hot projection: W_ih's column for its token plus b_ih.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void OneHotRow(int* tokens, float* weightT, float* bias, float* output, int row, int gateWidth) =>
        TensorPrimitives.Add(new ReadOnlySpan<float>(weightT + (nint)tokens[row] * gateWidth, gateWidth),
            new ReadOnlySpan<float>(bias, gateWidth), new Span<float>(output + (nint)row * gateWidth, gateWidth));

    private static void OneHotForwardChunk(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<OneHotArgs>((void*)p);
        var (start, end) = Range(a.Rows, a.Chunks, chunk);
        for (int r = start; r < end; r++) OneHotRow(a.Tokens, a.WeightT, a.Bias, a.Out, r, a.G);
    }

    /// <summary>The host walks the tokens in row order per band of columns; it needs no index.</summary>
    public void OneHotBackward(ArrayView<int> tokens, ArrayView<int> index, ArrayView<float> dOutput, ArrayView<float> dWeight, int rows,
        int gateWidth, int vocab)
    {
        counters.Launched();
        // Each chunk owns a band of columns j: it sums dOut's rows into a transposed V x band
        // buffer in row order, then adds that into dW, so no two threads touch one element.
        var args = new OneHotArgs
        {
            Tokens = Address(tokens),
            WeightT = scratch.Transposed((long)vocab * gateWidth),
            Out = Address(dOutput),
            DWeight = Address(dWeight),
            Rows = rows,
            G = gateWidth,
            Vocab = vocab
        };
        args.Chunks = Math.Min(Chunks((long)rows * gateWidth, Grain), ColumnChunks(gateWidth));
        Pool.Run(&OneHotBackwardChunk, (nint)(&args), args.Chunks);
    }

    private static void OneHotBackwardChunk(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<OneHotArgs>((void*)p);
        var (j0, j1) = Range(a.G, a.Chunks, chunk);
        int width = j1 - j0;
        for (int v = 0; v < a.Vocab; v++) new Span<float>(a.WeightT + (nint)v * a.G + j0, width).Clear();
        for (int r = 0; r < a.Rows; r++)
        {
            var sum = new Span<float>(a.WeightT + (nint)a.Tokens[r] * a.G + j0, width);
            TensorPrimitives.Add(sum, new ReadOnlySpan<float>(a.Out + (nint)r * a.G + j0, width), sum);
        }
        AddTable(ref a, j0, j1, a.G);
    }

    private struct OneHotArgs
    {
        public int* Tokens;
        public float* WeightT, Bias, Out, DWeight;
        public int Rows, G, Vocab, Chunks;
        /// <summary>Floats between the rows of WeightT where they are padded (<see cref="AddOneHotTable"/>); else G.</summary>
        public int Stride;
    }

    public void LstmForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c,
        ArrayView<float> h, int batch, int hidden)
    {
        counters.Launched();
        HostLstmCell.Forward(Pool, Address(gx), Address(gh), Address(cPrev), Address(c), Address(h), batch, hidden);
    }

    public void LstmBackward(ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> dh,
        ArrayView<float> dc, ArrayView<float> dGates, int batch, int hidden)
    {
        counters.Launched();
        HostLstmCell.Backward(Pool, Address(gates), Address(cPrev), Address(c), Address(dh), Address(dc),
                Address(dGates), batch, hidden);
    }

    public void GruForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> h,
        int batch, int hidden)
    {
        counters.Launched();
        HostGruCell.Forward(Pool, Address(gx), Address(gh), Address(hPrev), Address(h), batch, hidden);
    }

    public void GruBackward(ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> dh,
        ArrayView<float> dGx, ArrayView<float> dGh, ArrayView<float> dhPrev, int batch, int hidden)
    {
        counters.Launched();
        HostGruCell.Backward(Pool, Address(gates), Address(gh), Address(hPrev), Address(dh), Address(dGx),
                Address(dGh), Address(dhPrev), batch, hidden);
    }

    public void RnnForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> h, int batch, int hidden)
    {
        counters.Launched();
        HostRnnCell.Forward(Pool, Address(gx), Address(gh), Address(h), batch, hidden);
    }

    public void RnnBackward(ArrayView<float> h, ArrayView<float> dh, ArrayView<float> dGates, int batch, int hidden)
    {
        counters.Launched();
        HostRnnCell.Backward(Pool, Address(h), Address(dh), Address(dGates), batch, hidden);
    }

    public long RecurrentWeightsLength(CellKind cell, int hidden) => HostRecurrentStep.PackedLength(cell, hidden);

    public void PrepareRecurrentWeights(CellKind cell, ArrayView<float> wHh, ArrayView<float> prepared, int hidden)
    {
        counters.Launched();
        HostRecurrentStep.Pack(cell, Address(wHh), Address(prepared), hidden);
    }

    /// <summary>
    /// W_hh packed into panels where its rows lie 2 KB or more apart (H ≥ 512), as a GEMM with it
    /// of 256 rows or more packs it per call: a lesson-shape step back ran 1.4x faster on an Intel VM
    /// (on a Zen 5 VM packed and in place are level, 0.71 ms). At H = 128
    /// the packed step was 1.2x slower than W_hh in place, so smaller layers keep it as it is.
    /// </summary>
    public long BackwardRecurrentWeightsLength(int gates, int hidden) =>
        hidden >= HostGemm.PackedStride ? HostGemm.PackedColumnsLength(gates, hidden) : 0;

    public void PrepareBackwardRecurrentWeights(ArrayView<float> wHh, ArrayView<float> prepared, int gates, int hidden)
    {
        if (BackwardRecurrentWeightsLength(gates, hidden) == 0) return;
        counters.Launched();
        gemm.PackColumns(Address(wHh), hidden, gates, hidden, Address(prepared));
    }

    public void RecurrentBackwardStep(ArrayView<float> dGh, ArrayView<float> wHh, ArrayView<float> prepared,
        ArrayView<float> dhPrev, int batch, int gates, int hidden)
    {
        if (BackwardRecurrentWeightsLength(gates, hidden) == 0)
        {
            Gemm(false, false, batch, hidden, gates, 1f, dGh, gates, wHh, hidden, 1f, dhPrev, hidden);
            return;
        }
        counters.Launched();
        gemm.RunPacked(Address(dGh), Address(prepared), Address(dhPrev),
            new GemmArgs(batch, hidden, gates, false, false, gates, hidden, hidden, 1f, 1f, false));
    }

    public bool RecurrentForwardSequence(CellKind cell, ArrayView<float> hs, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cs, int batch, int hidden, int steps,
        InputProjection? input = null)
    {
        if (!HostRecurrentSequence.Applies(cell, batch, hidden)) return false;
        var projection = new HostRecurrentSequence.Projection();
        if (input is { } p)
        {
            int g = cell.Gates() * hidden, width = p.Input.Width;
            if (p.Input.IsTokens)
                projection = new() { Tokens = Address(p.Input.Tokens), WeightT = TransposedInputWeights(Address(p.WeightIh), g, width) };
            else if (HostRecurrentSequence.ProjectsDense(cell, hidden, width))
            {
                // W_ih into the step's panels once per forward, in the transposed-weights scratch.
                float* packed = scratch.Transposed(HostRecurrentStep.PackedLength(cell, hidden, width));
                HostRecurrentStep.Pack(cell, Address(p.WeightIh), packed, hidden, width);
                projection = new() { X = Address(p.Input.Dense), WeightT = packed, Width = width };
            }
            else return false;
            projection.Bias = Address(p.BiasIh);
        }
        counters.Launched();
        HostRecurrentSequence.Forward(Pool, cell, Address(hs), Address(wHhT), Address(bHh), Address(gx),
            cell == CellKind.Gru ? Address(gh) : null, cell == CellKind.Lstm ? Address(cs) : null, batch, hidden, steps, projection);
        return true;
    }

    public bool RecurrentBackwardSequence(CellKind cell, ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hs,
        ArrayView<float> cs, ArrayView<float> dhs, ArrayView<float> dc, ArrayView<float> dGx, ArrayView<float> dGh,
        ArrayView<float> dh0, ArrayView<float> wHh, int batch, int hidden, int steps)
    {
        if (!HostRecurrentSequence.Applies(cell, batch, hidden)) return false;
        counters.Launched();
        int g = cell.Gates() * hidden;
        // W_hh into panels once per pass (in the packed scratch, which no other operation uses meanwhile).
        float* packed = scratch.Packed(HostGemm.PackedColumnsLength(g, hidden));
        gemm.PackColumns(Address(wHh), hidden, g, hidden, packed);
        bool lstm = cell == CellKind.Lstm, gru = cell == CellKind.Gru;
        HostRecurrentSequence.Backward(Pool, cell, Address(gates), gru ? Address(gh) : null, Address(hs),
            lstm ? Address(cs) : null, Address(dhs), lstm ? Address(dc) : null, Address(dGx), Address(dGh),
            Address(dh0), packed, batch, hidden, steps);
        return true;
    }

    public void RecurrentForwardStep(CellKind cell, ArrayView<float> hPrev, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> hNext,
        int batch, int hidden)
    {
        counters.Launched();
        bool lstm = cell == CellKind.Lstm;
        float* rows = HostRecurrentStep.PacksRows(batch) ? scratch.StepRows(HostRecurrentStep.PackedRowsLength(batch, hidden)) : null;
        HostRecurrentStep.Run(Pool, cell, Address(hPrev), Address(wHhT), Address(bHh), Address(gx), Address(gh),
            lstm ? Address(cPrev) : null, lstm ? Address(c) : null, Address(hNext), batch, hidden, rows);
    }

    public void SoftmaxCrossEntropy(ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> rowLoss,
        ArrayView<float> dLogits, int rows, int vocab, float gradScale)
    {
        counters.Launched();
        var args = new LossArgs
        {
            X = Address(logits),
            Targets = Address(targets),
            Loss = Address(rowLoss),
            D = Address(dLogits),
            Rows = rows,
            Vocab = vocab,
            Scale = gradScale
        };
        args.Chunks = Chunks((long)rows * vocab, Grain);
        Pool.Run(&CrossEntropyChunk, (nint)(&args), args.Chunks);
    }

    private static void CrossEntropyChunk(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<LossArgs>((void*)p);
        var (start, end) = Range(a.Rows, a.Chunks, chunk);
        for (int r = start; r < end; r++)
        {
            var x = new ReadOnlySpan<float>(a.X + (nint)r * a.Vocab, a.Vocab);
            var d = new Span<float>(a.D + (nint)r * a.Vocab, a.Vocab);
            float max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, d);
            TensorPrimitives.Exp(d, d);
            float sum = HostReductions.Sum(a.D + (nint)r * a.Vocab, a.Vocab);
            int target = a.Targets[r];
            a.Loss[r] = max + MathF.Log(sum) - x[target];
            TensorPrimitives.Multiply(d, a.Scale / sum, d);
            d[target] -= a.Scale;
        }
    }

    public void MeanSquaredError(ArrayView<float> prediction, ArrayView<float> target, ArrayView<float> squaredError,
        ArrayView<float> dPrediction, int count, float gradScale)
    {
        counters.Launched();
        var diff = new Span<float>(Address(dPrediction), count);
        TensorPrimitives.Subtract(new ReadOnlySpan<float>(Address(prediction), count),
            new ReadOnlySpan<float>(Address(target), count), diff);
        TensorPrimitives.Multiply(diff, diff, new Span<float>(Address(squaredError), count));
        TensorPrimitives.Multiply(diff, 2f * gradScale, diff);
    }

    private struct LossArgs
    {
        public float* X, Loss, D;
        public int* Targets;
        public int Rows, Vocab, Chunks;
        public float Scale;
    }

    public void Sum(ArrayView<float> values, int count, ArrayView<float> result, int slot, float scale, bool squared)
    {
        counters.Launched();
        int chunks = Math.Max(1, (count + SumChunk - 1) / SumChunk);
        if (partials.Length < chunks)
        {
            partials = GC.AllocateArray<float>(chunks, pinned: true);
            counters.Allocated();
        }
        fixed (float* partial = partials)
        {
            var args = new SumArgs { Values = Address(values), Partials = partial, Count = count, Squared = squared };
            Pool.Run(&SumChunkOf, (nint)(&args), chunks);
            // Partial sums are added in chunk order: the result does not depend on who ran what.
            float sum = 0f;
            for (int i = 0; i < chunks; i++) sum += partial[i];
            Address(result)[slot] = sum * scale;
        }
    }

    private static void SumChunkOf(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<SumArgs>((void*)p);
        int start = chunk * SumChunk;
        int n = Math.Min(SumChunk, a.Count - start);
        a.Partials[chunk] = a.Squared ? HostReductions.SumOfSquares(a.Values + start, n) : HostReductions.Sum(a.Values + start, n);
    }

    private struct SumArgs
    {
        public float* Values, Partials;
        public int Count;
        public bool Squared;
    }

    public void ColumnSum(ArrayView<float> input, ArrayView<float> output, int rows, int cols, ArrayView<float>? second = null)
    {
        counters.Launched();
        var args = new ColumnArgs
        {
            Input = Address(input),
            Output = Address(output),
            Rows = rows,
            Cols = cols,
            Second = second is { } sv ? Address(sv) : null
        };
        args.Chunks = Math.Min(Chunks((long)rows * cols, Grain), ColumnChunks(cols));
        Pool.Run(&ColumnSumChunk, (nint)(&args), args.Chunks);
    }

    /// <summary>
    /// Where dW_hh's GEMM packs dGᵀ's rows (dG 512 or more wide: LSTM from H 128, the lesson), the
    /// bias and one-hot gradients are made from those packed rows as each tile packs them, in the
    /// row order of <see cref="ColumnSum"/> and <see cref="OneHotBackward"/>, so dG is read once
    /// instead of three times; elsewhere the three operations in turn.
    /// </summary>
    public void RecurrentWeightGradients(ArrayView<float> dG, ArrayView<float> x, ArrayView<float> dW, int rows, int gates, int width,
        ArrayView<float> bias, ArrayView<float>? secondBias, OneHotGradient? tokens)
    {
        var args = new GemmArgs(gates, width, rows, true, false, gates, width, width, 1f, 1f, false);
        if (rows == 0 || width == 0 || !HostGemm.FeedsRowSink(args))
        {
            IOps.WeightGradientsInTurn(this, dG, x, dW, rows, gates, width, bias, secondBias, tokens);
            return;
        }
        counters.Launched();
        int padded = HostGemm.PaddedRows(gates);
        var sink = new HostGemm.RowSink { Sums = scratch.Sums(padded), TableStride = padded };
        new Span<float>(sink.Sums, padded).Clear();
        if (tokens is { } tk)
        {
            sink.Tokens = Address(tk.Tokens);
            sink.Table = scratch.Transposed((long)tk.Vocab * padded);
            new Span<float>(sink.Table, tk.Vocab * padded).Clear();
        }
        gemm.Run(Address(dG), Address(x), Address(dW), null, args, &sink);
        var sums = new ReadOnlySpan<float>(sink.Sums, gates);
        var target = new Span<float>(Address(bias), gates);
        TensorPrimitives.Add(target, sums, target);
        if (secondBias is { } second)
        {
            var also = new Span<float>(Address(second), gates);
            TensorPrimitives.Add(also, sums, also);
        }
        if (tokens is { } one)
        {
            var add = new OneHotArgs { WeightT = sink.Table, DWeight = Address(one.WeightIh), G = gates, Vocab = one.Vocab, Stride = padded };
            add.Chunks = Math.Min(Chunks((long)gates * one.Vocab, Grain), ColumnChunks(gates));
            Pool.Run(&AddOneHotTable, (nint)(&add), add.Chunks);
        }
    }

    /// <summary>The one-hot table of a band of j into dW (the last step of <see cref="OneHotBackwardChunk"/>).</summary>
    private static void AddOneHotTable(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<OneHotArgs>((void*)p);
        var (j0, j1) = Range(a.G, a.Chunks, chunk);
        AddTable(ref a, j0, j1, a.Stride);
    }

    /// <summary>dW[j, v] += table[v, j] for j in [j0, j1), the table's rows <paramref name="stride"/> floats apart.</summary>
    private static void AddTable(ref OneHotArgs a, int j0, int j1, int stride)
    {
        for (int j = j0; j < j1; j++)
            for (int v = 0; v < a.Vocab; v++)
                a.DWeight[(nint)j * a.Vocab + v] += a.WeightT[(nint)v * stride + j];
    }

    /// <summary>Chunks of whole <see cref="ColumnBand"/>s, or two where there are fewer (never more than one per 16 columns).</summary>
    private static int ColumnChunks(int cols) => Math.Max((cols + ColumnBand - 1) / ColumnBand, Math.Min(2, (cols + 15) / 16));

    private static void ColumnSumChunk(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<ColumnArgs>((void*)p);
        var (c0, c1) = Range(a.Cols, a.Chunks, chunk);
        const int band = 256;
        float* sum = stackalloc float[band];
        for (int b0 = c0; b0 < c1; b0 += band)
        {
            int width = Math.Min(band, c1 - b0);
            var acc = new Span<float>(sum, width);
            acc.Clear();
            for (int r = 0; r < a.Rows; r++)
                TensorPrimitives.Add(acc, new ReadOnlySpan<float>(a.Input + (nint)r * a.Cols + b0, width), acc);
            var target = new Span<float>(a.Output + b0, width);
            TensorPrimitives.Add(target, acc, target);
            if (a.Second != null)
            {
                var also = new Span<float>(a.Second + b0, width);
                TensorPrimitives.Add(also, acc, also);
            }
        }
    }

    private struct ColumnArgs
    {
        public float* Input, Output, Second;
        public int Rows, Cols, Chunks;
    }

    public void ClipCoefficient(ArrayView<float> scalars, int sumSqSlot, int normSlot, int coefSlot, float maxNorm)
    {
        counters.Launched();
        float* s = Address(scalars);
        float norm = MathF.Sqrt(s[sumSqSlot]);
        s[normSlot] = norm;
        float coef = maxNorm > 0f ? maxNorm / (norm + GradNorm.Epsilon) : 1f;
        s[coefSlot] = coef < 1f ? coef : 1f;
    }

    public void Clamp(ArrayView<float> values, int count, float limit)
    {
        counters.Launched();
        var span = new Span<float>(Address(values), count);
        TensorPrimitives.Min(span, limit, span);
        TensorPrimitives.Max(span, -limit, span);
    }

    public void Adam(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> scalars, int coefSlot, OptimizerArgs args, int count)
    {
        counters.Launched();
        HostOptimizers.Run(Pool, HostOptimizers.Rule.Adam, Address(param), Address(grad), Address(m), Address(v),
            Address(scalars)[coefSlot], args, count);
    }

    public void Sgd(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> momentum, ArrayView<float> scalars,
        int coefSlot, OptimizerArgs args, int count)
    {
        counters.Launched();
        HostOptimizers.Run(Pool, HostOptimizers.Rule.Sgd, Address(param), Address(grad), Address(momentum), null,
            Address(scalars)[coefSlot], args, count);
    }

    public void RmsProp(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> square, ArrayView<float> scalars,
        int coefSlot, OptimizerArgs args, int count)
    {
        counters.Launched();
        HostOptimizers.Run(Pool, HostOptimizers.Rule.RmsProp, Address(param), Address(grad), Address(square), null,
            Address(scalars)[coefSlot], args, count);
    }

    public void DropoutForward(ArrayView<float> input, ArrayView<float> output, ArrayView<float> mask, int count,
        DropoutArgs args)
    {
        counters.Launched();
        var a = new DropoutJob
        {
            Input = Address(input),
            Output = Address(output),
            Mask = Address(mask),
            Count = count,
            Args = args,
            Chunks = Chunks(count, Grain / 4)
        };
        Pool.Run(&DropoutChunk, (nint)(&a), a.Chunks);
    }

    private static void DropoutChunk(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<DropoutJob>((void*)p);
        var (start, end) = Range(a.Count, a.Chunks, chunk);
        HostDropout.Mask(a.Args, start, end, a.Mask);
        int n = end - start;
        TensorPrimitives.Multiply(new ReadOnlySpan<float>(a.Input + start, n), new ReadOnlySpan<float>(a.Mask + start, n),
            new Span<float>(a.Output + start, n));
    }

    private struct DropoutJob
    {
        public float* Input, Output, Mask;
        public int Count, Chunks;
        public DropoutArgs Args;
    }

    public void DropoutBackward(ArrayView<float> dOutput, ArrayView<float> mask, ArrayView<float> dInput, int count)
    {
        counters.Launched();
        var a = new DropoutJob { Input = Address(dOutput), Output = Address(dInput), Mask = Address(mask), Count = count, Chunks = Chunks(count, Grain) };
        Pool.Run(&DropoutBackwardChunk, (nint)(&a), a.Chunks);
    }

    private static void DropoutBackwardChunk(nint p, int chunk)
    {
        ref var a = ref Unsafe.AsRef<DropoutJob>((void*)p);
        var (start, end) = Range(a.Count, a.Chunks, chunk);
        int n = end - start;
        TensorPrimitives.Multiply(new ReadOnlySpan<float>(a.Input + start, n), new ReadOnlySpan<float>(a.Mask + start, n),
            new Span<float>(a.Output + start, n));
    }

    public void Fill(ArrayView<float> target, int count, float value)
    {
        counters.Launched();
        new Span<float>(Address(target), count).Fill(value);
    }

    public void Copy(ArrayView<float> source, ArrayView<float> target)
    {
        counters.Launched();
        new ReadOnlySpan<float>(Address(source), checked((int)source.Length))
                .CopyTo(new Span<float>(Address(target), checked((int)target.Length)));
    }

    public void Transpose(ArrayView<float> source, ArrayView<float> target, int batch, int steps, int width,
        bool toTimeMajor)
    {
        counters.Launched();
        float* from = Address(source), to = Address(target);
        if (width == 1)
        {
            // A matrix transpose (W_hh for the fused step): 8 x 8 blocks keep both sides in cache.
            int rows = toTimeMajor ? batch : steps, cols = toTimeMajor ? steps : batch;
            const int block = 8;
            for (int r0 = 0; r0 < rows; r0 += block)
                for (int c0 = 0; c0 < cols; c0 += block)
                    for (int r = r0; r < Math.Min(r0 + block, rows); r++)
                        for (int c = c0; c < Math.Min(c0 + block, cols); c++)
                            to[(nint)c * rows + r] = from[(nint)r * cols + c];
            return;
        }
        for (int row = 0; row < batch * steps; row++)
        {
            int targetRow = toTimeMajor ? row % steps * batch + row / steps : row % batch * steps + row / batch;
            new ReadOnlySpan<float>(from + (nint)row * width, width).CopyTo(new Span<float>(to + (nint)targetRow * width, width));
        }
    }

    public void Download(ArrayView<float> source, float[] target)
    {
        counters.Synchronized();
        new ReadOnlySpan<float>(Address(source), checked((int)source.Length)).CopyTo(target);
    }

    public float ReadScalar(ArrayView<float> values, int index)
    {
        counters.Synchronized(); // nothing to wait for here, but a read-back all the same
        return Address(values)[index];
    }

    public void Dispose() => Pool.Dispose();
}
