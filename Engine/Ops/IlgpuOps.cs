using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops;

/// <summary>
/// <see cref="IOps"/> on an ILGPU accelerator: each call launches kernels of the device's
/// <see cref="KernelSet"/> with the launch settings of its <see cref="LaunchPolicy"/>.
/// The reduction partials and the read-back cell are allocated once here.
/// </summary>
internal sealed class IlgpuOps : IOps, IDisposable
{
    private readonly ComputeDevice device;
    private readonly KernelSet k;
    private readonly DeviceBuffer<float> partials;
    private readonly DeviceBuffer<float> empty;
    private DeviceBuffer<float>? columnPartials;
    private DeviceBuffer<float>? splitPartials;
    private readonly float[] readBack = new float[1];
    private readonly DeviceCounters counters;

    public IlgpuOps(ComputeDevice device)
    {
        this.device = device;
        counters = device.Counters;
        k = device.Kernels;
        partials = device.Allocate<float>(k.Policy.ReductionPartials, "reduction partial sums");
        empty = device.Allocate<float>(1, "placeholder bias");
    }

    public void Gemm(bool transA, bool transB, int m, int n, int k_, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc, ArrayView<float>? bias = null) =>
        Gemm(k.Policy.GemmFor(m, n, k_), transA, transB, m, n, k_, alpha, a, lda, b, ldb, beta, c, ldc, bias);

    /// <summary>
    /// <see cref="IOps.Gemm"/> with a chosen kernel version rather than the policy's: selftest, the
    /// tests and bench kernels check and time every version on any accelerator.
    /// </summary>
    public void Gemm(GemmVersion version, bool transA, bool transB, int m, int n, int k_, float alpha, ArrayView<float> a,
        int lda, ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc, ArrayView<float>? bias = null)
    {
        if (m == 0 || n == 0) return;
        var args = new GemmArgs(m, n, k_, transA, transB, lda, ldb, ldc, alpha, beta, bias.HasValue);
        var biasView = bias ?? empty.View;
        if (version == GemmVersion.TiledBlockedSplit)
        {
            SplitGemm(args, m, n, k_, a, b, c, biasView);
            return;
        }
        if (version is GemmVersion.Tiled or GemmVersion.TiledBlocked)
        {
            int tile = k.Policy.GemmTile;
            bool blocked = version == GemmVersion.TiledBlocked;
            int block = blocked ? tile * Kernels.Gemm.Reach : tile;
            var grid = new Index2D((n + block - 1) / block, (m + block - 1) / block);
            // Both tiled kernels use static shared memory (see Kernels.Gemm.TiledBlocked for why).
            var config = new KernelConfig(grid, new Index2D(tile, tile));
            counters.Launched();
            (version == GemmVersion.Tiled ? k.GemmTiled : k.GemmTiledBlocked)(config, a, b, c, biasView, args, tile);
        }
        else
        {
            counters.Launched();
            k.GemmRowBlock(Kernels.Gemm.RowBlockThreads(m, n), a, b, c, biasView, args);
        }
    }

    /// <summary>
    /// The blocked GEMM split along K into the policy's number of splits (at least two, so that
    /// selftest and the tests check the split on any device), then the splits summed in order.
    /// The partial sums' buffer grows to the largest product's and is kept: only the first step allocates.
    /// </summary>
    private void SplitGemm(GemmArgs args, int m, int n, int depth, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        ArrayView<float> bias)
    {
        int tile = k.Policy.GemmTile, block = tile * Kernels.Gemm.Reach;
        int tiles = Math.Max(1, (depth + tile - 1) / tile);
        int splits = Math.Min(tiles, Math.Max(2, k.Policy.Splits(m, n, depth)));
        int kc = (tiles + splits - 1) / splits * tile;
        splits = Math.Max(1, (depth + kc - 1) / kc);
        long size = (long)splits * m * n;
        if (splitPartials is null || splitPartials.Length < size)
        {
            splitPartials?.Dispose();
            splitPartials = device.Allocate<float>(size, "split-K partial sums");
        }
        var config = new KernelConfig(new Index2D((n + block - 1) / block, (m + block - 1) / block * splits), new Index2D(tile, tile));
        counters.Launched(2);
        k.GemmTiledBlockedSplit(config, a, b, splitPartials.View, args, tile, kc);
        k.GemmSumSplits(m * n, splitPartials.View, c, bias, args, splits);
    }

    public void OneHotForward(ArrayView<int> tokens, ArrayView<float> weight, ArrayView<float> bias,
        ArrayView<float> output, int rows, int gateWidth, int vocab)
    {
        counters.Launched();
        k.OneHotForward(rows * gateWidth, tokens, weight, bias, output, gateWidth, vocab);
    }

    public void OneHotBackward(ArrayView<int> tokens, ArrayView<int> index, ArrayView<float> dOutput, ArrayView<float> dWeight, int rows,
        int gateWidth, int vocab)
    {
        counters.Launched();
        k.OneHotBackward(gateWidth * vocab, index, dOutput, dWeight, rows, gateWidth, vocab);
    }

    public void LstmForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c,
        ArrayView<float> h, int batch, int hidden)
    {
        counters.Launched();
        k.LstmForward(batch * hidden, gx, gh, cPrev, c, h, hidden);
    }

    public void LstmBackward(ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> dh,
        ArrayView<float> dc, ArrayView<float> dGates, int batch, int hidden)
    {
        counters.Launched();
        k.LstmBackward(batch * hidden, gates, cPrev, c, dh, dc, dGates, hidden);
    }

    public void GruForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> h,
        int batch, int hidden)
    {
        counters.Launched();
        k.GruForward(batch * hidden, gx, gh, hPrev, h, hidden);
    }

    public void GruBackward(ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hPrev, ArrayView<float> dh,
        ArrayView<float> dGx, ArrayView<float> dGh, ArrayView<float> dhPrev, int batch, int hidden)
    {
        counters.Launched();
        k.GruBackward(batch * hidden, gates, gh, hPrev, dh, dGx, dGh, dhPrev, hidden);
    }

    public void RnnForward(ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> h, int batch, int hidden)
    {
        counters.Launched();
        k.RnnForward(batch * hidden, gx, gh, h);
    }

    public void RnnBackward(ArrayView<float> h, ArrayView<float> dh, ArrayView<float> dGates, int batch, int hidden)
    {
        counters.Launched();
        k.RnnBackward(batch * hidden, h, dh, dGates);
    }

    public long RecurrentWeightsLength(CellKind cell, int hidden) => (long)cell.Gates() * hidden * hidden;

    /// <summary>W_hhᵀ (H x G): the tile loads of the fused kernel then read consecutive addresses.</summary>
    public void PrepareRecurrentWeights(CellKind cell, ArrayView<float> wHh, ArrayView<float> prepared, int hidden) =>
        Transpose(wHh, prepared, cell.Gates() * hidden, hidden, 1, toTimeMajor: true);

    /// <summary>The kernels read W_hh as it is.</summary>
    public long BackwardRecurrentWeightsLength(int gates, int hidden) => 0;

    public void PrepareBackwardRecurrentWeights(ArrayView<float> wHh, ArrayView<float> prepared, int gates, int hidden)
    {
    }

    /// <summary>A GPU runs the steps launch by launch (a launch is the only grid-wide barrier).</summary>
    public bool RecurrentForwardSequence(CellKind cell, ArrayView<float> hs, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cs, int batch, int hidden, int steps,
        InputProjection? input = null) => false;

    /// <inheritdoc cref="RecurrentForwardSequence"/>
    public bool RecurrentBackwardSequence(CellKind cell, ArrayView<float> gates, ArrayView<float> gh, ArrayView<float> hs,
        ArrayView<float> cs, ArrayView<float> dhs, ArrayView<float> dc, ArrayView<float> dGx, ArrayView<float> dGh,
        ArrayView<float> dh0, ArrayView<float> wHh, int batch, int hidden, int steps) => false;

    public void RecurrentBackwardStep(ArrayView<float> dGh, ArrayView<float> wHh, ArrayView<float> prepared,
        ArrayView<float> dhPrev, int batch, int gates, int hidden) =>
        Gemm(false, false, batch, hidden, gates, 1f, dGh, gates, wHh, hidden, 1f, dhPrev, hidden);

    /// <summary>
    /// One launch of the fused kernel (Kernels.RecurrentStep) where the policy says so (GPUs);
    /// otherwise the GEMM and the cell kernel.
    /// </summary>
    public void RecurrentForwardStep(CellKind cell, ArrayView<float> hPrev, ArrayView<float> wHhT, ArrayView<float> bHh,
        ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> hNext,
        int batch, int hidden)
    {
        if (k.Policy.FusedStep)
        {
            int tile = k.Policy.GemmTile;
            int rows = Kernels.RecurrentStep.Rows * tile;
            var config = new KernelConfig(new Index2D((hidden + tile - 1) / tile, (batch + rows - 1) / rows), new Index2D(tile, tile));
            // RNN and GRU have no cell state: any view stands in for the unused ones.
            var cp = cell == CellKind.Lstm ? cPrev : hPrev;
            var cn = cell == CellKind.Lstm ? c : hNext;
            counters.Launched();
            k.RecurrentStep(config, hPrev, wHhT, bHh, gx, gh, cp, cn, hNext, batch, hidden, (int)cell, tile);
            return;
        }
        int g = cell.Gates() * hidden;
        Gemm(false, false, batch, g, hidden, 1f, hPrev, hidden, wHhT, g, 0f, gh, g, bHh);
        switch (cell)
        {
            case CellKind.Lstm: LstmForward(gx, gh, cPrev, c, hNext, batch, hidden); break;
            case CellKind.Gru: GruForward(gx, gh, hPrev, hNext, batch, hidden); break;
            default: RnnForward(gx, gh, hNext, batch, hidden); break;
        }
    }

    public void SoftmaxCrossEntropy(ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> rowLoss,
        ArrayView<float> dLogits, int rows, int vocab, float gradScale)
    {
        counters.Launched();
        k.CrossEntropy(rows, logits, targets, rowLoss, dLogits, vocab, gradScale);
    }

    public void MeanSquaredError(ArrayView<float> prediction, ArrayView<float> target, ArrayView<float> squaredError,
        ArrayView<float> dPrediction, int count, float gradScale)
    {
        counters.Launched();
        k.Mse(count, prediction, target, squaredError, dPrediction, gradScale);
    }

    public void Sum(ArrayView<float> values, int count, ArrayView<float> result, int slot, float scale, bool squared)
    {
        counters.Launched(2);
        k.ReducePartials((int)partials.Length, values, partials.View, count, squared ? 1 : 0);
        k.ReduceFinal(1, partials.View, result, slot, scale);
    }

    /// <summary>Two launches: row-chunk partial sums, then their sum per column in chunk order.</summary>
    public void ColumnSum(ArrayView<float> input, ArrayView<float> output, int rows, int cols, ArrayView<float>? second = null)
    {
        int chunks = Kernels.Reduction.ColumnChunks(rows);
        if (columnPartials is null || columnPartials.Length < (long)chunks * cols)
        {
            // Sized by the largest shape seen: allocated in a run's first step only.
            columnPartials?.Dispose();
            columnPartials = device.Allocate<float>((long)chunks * cols, "column-sum partials");
        }
        counters.Launched(2);
        k.ColumnPartials(chunks * cols, input, columnPartials.View, rows, cols, chunks);
        k.ColumnFinal(cols, columnPartials.View, output, second ?? empty.View, cols, chunks, second.HasValue ? 1 : 0);
    }

    public void ClipCoefficient(ArrayView<float> scalars, int sumSqSlot, int normSlot, int coefSlot, float maxNorm)
    {
        counters.Launched();
        k.ClipCoefficient(1, scalars, sumSqSlot, normSlot, coefSlot, maxNorm);
    }

    public void Clamp(ArrayView<float> values, int count, float limit)
    {
        counters.Launched();
        k.Clamp(count, values, limit);
    }

    public void Adam(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> scalars, int coefSlot, OptimizerArgs args, int count)
    {
        counters.Launched();
        k.Adam(count, param, grad, m, v, scalars, coefSlot, args);
    }

    public void Sgd(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> momentum, ArrayView<float> scalars,
        int coefSlot, OptimizerArgs args, int count)
    {
        counters.Launched();
        k.Sgd(count, param, grad, momentum, scalars, coefSlot, args);
    }

    public void RmsProp(ArrayView<float> param, ArrayView<float> grad, ArrayView<float> square, ArrayView<float> scalars,
        int coefSlot, OptimizerArgs args, int count)
    {
        counters.Launched();
        k.RmsProp(count, param, grad, square, scalars, coefSlot, args);
    }

    public void DropoutForward(ArrayView<float> input, ArrayView<float> output, ArrayView<float> mask, int count,
        DropoutArgs args)
    {
        counters.Launched();
        k.DropoutForward(count, input, output, mask, args);
    }

    public void DropoutBackward(ArrayView<float> dOutput, ArrayView<float> mask, ArrayView<float> dInput, int count)
    {
        counters.Launched();
        k.DropoutBackward(count, dOutput, mask, dInput);
    }

    public void Fill(ArrayView<float> target, int count, float value)
    {
        counters.Launched();
        k.Fill(count, target, value);
    }

    public void Copy(ArrayView<float> source, ArrayView<float> target)
    {
        counters.Launched();
        source.CopyTo(device.Accelerator.DefaultStream, target);
    }

    public void Transpose(ArrayView<float> source, ArrayView<float> target, int batch, int steps, int width,
        bool toTimeMajor)
    {
        counters.Launched();
        k.Transpose(batch * steps * width, source, target, batch, steps, width, toTimeMajor ? 1 : 0);
    }

    public void Download(ArrayView<float> source, float[] target)
    {
        source.CopyToCPU(device.Accelerator.DefaultStream, target);
        device.Accelerator.DefaultStream.Synchronize();
        counters.Synchronized();
    }

    public float ReadScalar(ArrayView<float> values, int index)
    {
        values.SubView(index, 1).CopyToCPU(device.Accelerator.DefaultStream, readBack);
        device.Accelerator.DefaultStream.Synchronize();
        counters.Synchronized();
        return readBack[0];
    }

    public void Dispose()
    {
        columnPartials?.Dispose();
        splitPartials?.Dispose();
        empty.Dispose();
        partials.Dispose();
    }
}
