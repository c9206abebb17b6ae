using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Kernels;
using IlgpuLstm.References;

namespace IlgpuLstm.Cli.SelfTest;

/// <summary>
/// Runs each kernel on a device and compares it with its float64 reference (Tests/References) on
/// random inputs: the check behind the unit tests and the <c>selftest</c> verb alike.
/// An element passes when |got - ref| ≤ atol + rtol·|ref|; tolerances are per kernel below.
/// </summary>
internal sealed class KernelChecks
{
    private readonly ComputeDevice device;
    private readonly Random random;

    public KernelChecks(ComputeDevice device, int seed = 1234)
    {
        this.device = device;
        random = new Random(seed);
    }

    private Accelerator Acc => device.Accelerator;

    /// <summary>One GEMM kernel version, or with <paramref name="version"/> null the device's own GEMM (the host path has one).</summary>
    public CheckResult Gemm(GemmVersion? version, bool transA, bool transB, int m, int n, int k, bool bias, float beta)
    {
        int lda = transA ? m : k, ldb = transB ? k : n, ldc = n;
        var a = RandomFloats(m * k);
        var b = RandomFloats(k * n);
        var c = RandomFloats(m * n);
        var biasValues = bias ? RandomFloats(n) : null;
        const float alpha = 0.75f;
        var expected = GemmReference.Compute(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, biasValues);
        using var da = Acc.Allocate1D(a);
        using var db = Acc.Allocate1D(b);
        using var dc = Acc.Allocate1D(c);
        using var dbias = Acc.Allocate1D(biasValues ?? [0f]);
        if (version is { } v)
            ((Engine.Ops.IlgpuOps)device.Ops).Gemm(v, transA, transB, m, n, k, alpha, da.View, lda, db.View, ldb, beta, dc.View, ldc,
                bias ? dbias.View : null);
        else
            device.Ops.Gemm(transA, transB, m, n, k, alpha, da.View, lda, db.View, ldb, beta, dc.View, ldc, bias ? dbias.View : null);
        // Float32 accumulation over K terms of size ~1: error grows with K.
        string name = version?.ToString() ?? "Host";
        return Compare($"Gemm.{name}{(transA ? " Aᵀ" : "")}{(transB ? " Bᵀ" : "")}", $"{m}x{n}x{k}",
            dc.GetAsArray1D(), expected, 1e-6 * (k + 1), 1e-5);
    }

    public CheckResult OneHot(int rows, int gateWidth, int vocab)
    {
        var tokens = Enumerable.Range(0, rows).Select(_ => random.Next(vocab)).ToArray();
        var w = RandomFloats(gateWidth * vocab);
        var bias = RandomFloats(gateWidth);
        var dOut = RandomFloats(rows * gateWidth);
        var dwStart = RandomFloats(gateWidth * vocab);
        using var dTokens = Acc.Allocate1D(tokens);
        using var dw = Acc.Allocate1D(w);
        using var dbias = Acc.Allocate1D(bias);
        using var output = Acc.Allocate1D<float>(rows * gateWidth);
        using var ddOut = Acc.Allocate1D(dOut);
        using var ddw = Acc.Allocate1D(dwStart);
        device.Ops.OneHotForward(dTokens.View, dw.View, dbias.View, output.View, rows, gateWidth, vocab);
        var index = new int[Engine.Data.TokenIndex.Length(rows, vocab)];
        Engine.Data.TokenIndex.Build(tokens, vocab, index);
        using var dIndex = Acc.Allocate1D(index);
        device.Ops.OneHotBackward(dTokens.View, dIndex.View, ddOut.View, ddw.View, rows, gateWidth, vocab);
        var forward = Compare("OneHot.Forward", "", output.GetAsArray1D(),
            OneHotProjectionReference.Forward(tokens, w, bias, gateWidth, vocab), 1e-6, 1e-6);
        var backward = Compare("OneHot.Backward", "", ddw.GetAsArray1D(),
            OneHotProjectionReference.Backward(tokens, dOut, dwStart, gateWidth, vocab), 1e-5 * (rows + 1), 1e-5);
        return Merge("OneHotProjection fwd+bwd", $"rows {rows}, G {gateWidth}, V {vocab}", forward, backward);
    }

    public CheckResult Lstm(int batch, int hidden)
    {
        int n = batch * hidden, g = 4 * n;
        var gx = RandomFloats(g, 2f); var gh = RandomFloats(g, 2f); var cPrev = RandomFloats(n);
        var dh = RandomFloats(n); var dc = RandomFloats(n);
        var (refGates, refC, refH) = LstmCellReference.Forward(D(gx), D(gh), D(cPrev), batch, hidden);
        using var dgx = Acc.Allocate1D(gx); using var dgh = Acc.Allocate1D(gh); using var dcp = Acc.Allocate1D(cPrev);
        using var dcOut = Acc.Allocate1D<float>(n); using var dhOut = Acc.Allocate1D<float>(n);
        device.Ops.LstmForward(dgx.View, dgh.View, dcp.View, dcOut.View, dhOut.View, batch, hidden);
        var gates = dgx.GetAsArray1D(); var c = dcOut.GetAsArray1D();
        var fwd = Merge("", "", Compare("", "", gates, refGates, 1e-6, 1e-5), Compare("", "", c, refC, 1e-6, 1e-5),
            Compare("", "", dhOut.GetAsArray1D(), refH, 1e-6, 1e-5));
        // Backward from the kernel's own forward results, so only backward's error is measured.
        var (refDGates, refDc) = LstmCellReference.Backward(D(gates), D(cPrev), D(c), D(dh), D(dc), batch, hidden);
        using var ddh = Acc.Allocate1D(dh); using var ddc = Acc.Allocate1D(dc); using var dG = Acc.Allocate1D<float>(g);
        device.Ops.LstmBackward(dgx.View, dcp.View, dcOut.View, ddh.View, ddc.View, dG.View, batch, hidden);
        var bwd = Merge("", "", Compare("", "", dG.GetAsArray1D(), refDGates, 1e-6, 1e-5),
            Compare("", "", ddc.GetAsArray1D(), refDc, 1e-6, 1e-5));
        return Merge("LstmCell fwd+bwd", $"B {batch}, H {hidden}", fwd, bwd);
    }

    public CheckResult Gru(int batch, int hidden)
    {
        int n = batch * hidden, g = 3 * n;
        var gx = RandomFloats(g, 2f); var gh = RandomFloats(g, 2f); var hPrev = RandomFloats(n); var dh = RandomFloats(n);
        var dhPrevStart = RandomFloats(n);
        var (refGates, refH) = GruCellReference.Forward(D(gx), D(gh), D(hPrev), batch, hidden);
        using var dgx = Acc.Allocate1D(gx); using var dgh = Acc.Allocate1D(gh); using var dhp = Acc.Allocate1D(hPrev);
        using var dhOut = Acc.Allocate1D<float>(n);
        device.Ops.GruForward(dgx.View, dgh.View, dhp.View, dhOut.View, batch, hidden);
        var gates = dgx.GetAsArray1D();
        var fwd = Merge("", "", Compare("", "", gates, refGates, 1e-6, 1e-5),
            Compare("", "", dhOut.GetAsArray1D(), refH, 1e-6, 1e-5));
        var (refDGx, refDGh, refDirect) = GruCellReference.Backward(D(gates), D(gh), D(hPrev), D(dh), batch, hidden);
        using var ddh = Acc.Allocate1D(dh); using var dGx = Acc.Allocate1D<float>(g); using var dGh = Acc.Allocate1D<float>(g);
        using var ddhPrev = Acc.Allocate1D(dhPrevStart);
        device.Ops.GruBackward(dgx.View, dgh.View, dhp.View, ddh.View, dGx.View, dGh.View, ddhPrev.View, batch, hidden);
        var expectedDhPrev = refDirect.Select((v, i) => v + dhPrevStart[i]).ToArray();
        var bwd = Merge("", "", Compare("", "", dGx.GetAsArray1D(), refDGx, 1e-6, 1e-5),
            Compare("", "", dGh.GetAsArray1D(), refDGh, 1e-6, 1e-5),
            Compare("", "", ddhPrev.GetAsArray1D(), expectedDhPrev, 1e-6, 1e-5));
        return Merge("GruCell fwd+bwd", $"B {batch}, H {hidden}", fwd, bwd);
    }

    public CheckResult Rnn(int batch, int hidden)
    {
        int n = batch * hidden;
        var gx = RandomFloats(n, 2f); var gh = RandomFloats(n, 2f); var dh = RandomFloats(n);
        var refH = RnnCellReference.Forward(D(gx), D(gh));
        using var dgx = Acc.Allocate1D(gx); using var dgh = Acc.Allocate1D(gh); using var dhOut = Acc.Allocate1D<float>(n);
        device.Ops.RnnForward(dgx.View, dgh.View, dhOut.View, batch, hidden);
        var h = dhOut.GetAsArray1D();
        using var ddh = Acc.Allocate1D(dh); using var dG = Acc.Allocate1D<float>(n);
        device.Ops.RnnBackward(dhOut.View, ddh.View, dG.View, batch, hidden);
        return Merge("RnnCell fwd+bwd", $"B {batch}, H {hidden}", Compare("", "", h, refH, 1e-6, 1e-5),
            Compare("", "", dG.GetAsArray1D(), RnnCellReference.Backward(D(h), D(dh)), 1e-6, 1e-5));
    }

    public CheckResult CrossEntropy(int rows, int vocab)
    {
        // Large logits check the max subtraction: exp(60) overflows float32 without it.
        var logits = RandomFloats(rows * vocab, 30f);
        var targets = Enumerable.Range(0, rows).Select(_ => random.Next(vocab)).ToArray();
        float scale = 1f / rows;
        var (refLoss, refD) = LossReference.SoftmaxCrossEntropy(D(logits), targets, vocab, scale);
        using var dl = Acc.Allocate1D(logits); using var dt = Acc.Allocate1D(targets);
        using var loss = Acc.Allocate1D<float>(rows); using var dd = Acc.Allocate1D<float>(rows * vocab);
        device.Ops.SoftmaxCrossEntropy(dl.View, dt.View, loss.View, dd.View, rows, vocab, scale);
        return Merge("SoftmaxCrossEntropy", $"rows {rows}, V {vocab}",
            Compare("", "", loss.GetAsArray1D(), refLoss, 1e-4, 1e-5), Compare("", "", dd.GetAsArray1D(), refD, 1e-7, 1e-4));
    }

    public CheckResult Mse(int count)
    {
        var p = RandomFloats(count); var t = RandomFloats(count);
        var (refSq, refD) = LossReference.MeanSquaredError(D(p), D(t), 1.0 / count);
        using var dp = Acc.Allocate1D(p); using var dt = Acc.Allocate1D(t);
        using var sq = Acc.Allocate1D<float>(count); using var dd = Acc.Allocate1D<float>(count);
        device.Ops.MeanSquaredError(dp.View, dt.View, sq.View, dd.View, count, 1f / count);
        return Merge("MeanSquaredError", $"n {count}", Compare("", "", sq.GetAsArray1D(), refSq, 1e-6, 1e-5),
            Compare("", "", dd.GetAsArray1D(), refD, 1e-7, 1e-5));
    }

    public CheckResult Reductions(int rows, int cols)
    {
        var values = RandomFloats(rows * cols);
        var start = RandomFloats(cols);
        using var dv = Acc.Allocate1D(values); using var result = Acc.Allocate1D<float>(3);
        var start2 = RandomFloats(cols);
        using var colSum = Acc.Allocate1D(start); using var colSum2 = Acc.Allocate1D(start2);
        device.Ops.Sum(dv.View, values.Length, result.View, 0, 1f, false);
        device.Ops.Sum(dv.View, values.Length, result.View, 1, 0.5f, true);
        device.Ops.ColumnSum(dv.View, colSum.View, rows, cols, second: colSum2.View);
        var got = result.GetAsArray1D();
        double count = values.Length;
        return Merge("Reduction sum, sum², column sum", $"{rows}x{cols}",
            Compare("", "", [got[0]], [ReductionReference.Sum(values, false)], 1e-6 * count, 1e-5),
            Compare("", "", [got[1]], [0.5 * ReductionReference.Sum(values, true)], 1e-6 * count, 1e-5),
            Compare("", "", colSum.GetAsArray1D(), ReductionReference.ColumnSum(values, start, rows, cols), 1e-6 * rows, 1e-5),
            Compare("", "", colSum2.GetAsArray1D(), ReductionReference.ColumnSum(values, start2, rows, cols), 1e-6 * rows, 1e-5));
    }

    public CheckResult ClipAndOptimizers(int count)
    {
        var p0 = RandomFloats(count); var g = RandomFloats(count, 3f);
        var m0 = RandomFloats(count, 0.1f); var v0 = RandomFloats(count, 0.1f).Select(MathF.Abs).ToArray();
        const float maxNorm = 0.5f;
        double coef = OptimizerReference.ClipCoefficient(D(g), maxNorm);
        using var scalars = Acc.Allocate1D<float>(4);
        using var dg = Acc.Allocate1D(g);
        device.Ops.Sum(dg.View, count, scalars.View, 0, 1f, true);
        device.Ops.ClipCoefficient(scalars.View, 0, 1, 2, maxNorm);
        var s = scalars.GetAsArray1D();
        var clip = Compare("", "", [s[2]], [coef], 1e-7, 1e-5);

        // Adam at step 3 with PyTorch defaults and weight decay.
        const int step = 3; const double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
        double[] p = D(p0), m = D(m0), v = D(v0);
        OptimizerReference.Adam(p, D(g), m, v, step, lr, b1, b2, eps, wd, s[2]);
        var adamArgs = new OptimizerArgs((float)lr, (float)b1, (float)b2, (float)eps, (float)wd,
            (float)(lr / (1 - Math.Pow(b1, step))), (float)Math.Sqrt(1 - Math.Pow(b2, step)), 0f, 0);
        using var dp = Acc.Allocate1D(p0); using var dm = Acc.Allocate1D(m0); using var dv = Acc.Allocate1D(v0);
        device.Ops.Adam(dp.View, dg.View, dm.View, dv.View, scalars.View, 2, adamArgs, count);
        var adam = Merge("", "", Compare("", "", dp.GetAsArray1D(), p, 1e-6, 1e-5),
            Compare("", "", dm.GetAsArray1D(), m, 1e-7, 1e-5), Compare("", "", dv.GetAsArray1D(), v, 1e-8, 1e-5));

        // SGD with Nesterov momentum and RMSprop, unclipped (coefficient slot 3 = 1).
        device.Ops.Fill(scalars.View.SubView(3, 1), 1, 1f);
        double[] ps = D(p0), buf = D(m0);
        OptimizerReference.Sgd(ps, D(g), buf, 0.1, 0.9, true, 0, 1);
        using var dps = Acc.Allocate1D(p0); using var dbuf = Acc.Allocate1D(m0);
        device.Ops.Sgd(dps.View, dg.View, dbuf.View, scalars.View, 3, new OptimizerArgs(0.1f, 0, 0, 0, 0, 0, 1, 0.9f, 1), count);
        double[] pr = D(p0), sq = D(v0);
        OptimizerReference.RmsProp(pr, D(g), sq, 0.01, 0.95, 1e-8, 0, 1);
        using var dpr = Acc.Allocate1D(p0); using var dsq = Acc.Allocate1D(v0);
        device.Ops.RmsProp(dpr.View, dg.View, dsq.View, scalars.View, 3, new OptimizerArgs(0.01f, 0, 0.95f, 1e-8f, 0, 0, 1, 0, 0), count);
        var others = Merge("", "", Compare("", "", dps.GetAsArray1D(), ps, 1e-6, 1e-5),
            Compare("", "", dbuf.GetAsArray1D(), buf, 1e-6, 1e-5), Compare("", "", dpr.GetAsArray1D(), pr, 1e-6, 1e-4),
            Compare("", "", dsq.GetAsArray1D(), sq, 1e-8, 1e-5));

        device.Ops.Clamp(dg.View, count, 1f);
        var clamp = Compare("", "", dg.GetAsArray1D(), g.Select(x => Math.Clamp((double)x, -1, 1)).ToArray(), 0, 0);
        return Merge("Clip, Adam, SGD, RMSprop, clamp", $"n {count}", clip, adam, others, clamp);
    }

    public CheckResult Dropout(int count, float probability)
    {
        var x = RandomFloats(count); var dy = RandomFloats(count);
        const ulong seed = 0x1234_5678_9ABCUL, stream = 0x7_0000_002AUL; // both words of each nonzero
        var mask = DropoutReference.Mask(count, seed, stream, probability);
        using var dx = Acc.Allocate1D(x); using var dyv = Acc.Allocate1D(dy);
        using var y = Acc.Allocate1D<float>(count); using var dmask = Acc.Allocate1D<float>(count);
        device.Ops.DropoutForward(dx.View, y.View, dmask.View, count, new DropoutArgs(seed, stream, probability));
        device.Ops.DropoutBackward(dyv.View, dmask.View, dyv.View, count);
        return Merge("Dropout fwd+bwd", $"n {count}, p {probability}",
            Compare("", "", y.GetAsArray1D(), x.Select((v, i) => v * mask[i]).ToArray(), 1e-7, 1e-6),
            Compare("", "", dyv.GetAsArray1D(), dy.Select((v, i) => v * mask[i]).ToArray(), 1e-7, 1e-6));
    }

    /// <summary>
    /// The fused forward step: gh = hPrev·W_hhᵀ + b_hh (GEMM reference, W prepared as the layers
    /// prepare it), then the cell's reference on gx and that gh.
    /// </summary>
    public CheckResult RecurrentStep(CellKind cell, int batch, int hidden)
    {
        int g = cell.Gates() * hidden, n = batch * hidden;
        var hPrev = RandomFloats(n); var w = RandomFloats(g * hidden, 0.5f); var bias = RandomFloats(g);
        var gx = RandomFloats(batch * g, 2f); var cPrev = RandomFloats(n);
        var refGh = GemmReference.Compute(false, true, batch, g, hidden, 1.0, hPrev, hidden, w, hidden, 0.0, new float[batch * g], g, bias);
        using var dh = Acc.Allocate1D(hPrev); using var dw = Acc.Allocate1D(w); using var db = Acc.Allocate1D(bias);
        // The weights as the layers give them: W_hh prepared once (transposed for the kernels, packed on the host).
        using var dwT = Acc.Allocate1D<float>(device.Ops.RecurrentWeightsLength(cell, hidden));
        device.Ops.PrepareRecurrentWeights(cell, dw.View, dwT.View, hidden);
        using var dgx = Acc.Allocate1D(gx); using var dgh = Acc.Allocate1D<float>(batch * g);
        using var dcp = Acc.Allocate1D(cPrev); using var dc = Acc.Allocate1D<float>(n); using var dhNext = Acc.Allocate1D<float>(n);
        device.Ops.RecurrentForwardStep(cell, dh.View, dwT.View, db.View, dgx.View, dgh.View, dcp.View, dc.View,
            dhNext.View, batch, hidden);
        // The GEMM's float32 sums over H terms feed the cell: tolerances as for GEMM, plus the cell's.
        double atol = 1e-6 * (hidden + 1) + 1e-6;
        var parts = new List<CheckResult>();
        if (cell == CellKind.Gru) parts.Add(Compare("", "", dgh.GetAsArray1D(), refGh, atol, 1e-5)); // only GRU's backward reads gh
        switch (cell)
        {
            case CellKind.Lstm:
                var lstm = LstmCellReference.Forward(D(gx), refGh, D(cPrev), batch, hidden);
                parts.Add(Compare("", "", dgx.GetAsArray1D(), lstm.Gates, atol, 1e-5));
                parts.Add(Compare("", "", dc.GetAsArray1D(), lstm.C, atol, 1e-5));
                parts.Add(Compare("", "", dhNext.GetAsArray1D(), lstm.H, atol, 1e-5));
                break;
            case CellKind.Gru:
                var gru = GruCellReference.Forward(D(gx), refGh, D(hPrev), batch, hidden);
                parts.Add(Compare("", "", dgx.GetAsArray1D(), gru.Gates, atol, 1e-5));
                parts.Add(Compare("", "", dhNext.GetAsArray1D(), gru.H, atol, 1e-5));
                break;
            default:
                parts.Add(Compare("", "", dhNext.GetAsArray1D(), RnnCellReference.Forward(D(gx), refGh), atol, 1e-5));
                break;
        }
        return Merge($"RecurrentForwardStep {cell.ModuleName()}", $"B {batch}, H {hidden}", [.. parts]);
    }

    /// <summary>
    /// One backward time step, dhPrev += dGh · W_hh, with W_hh prepared once as the layers do (the
    /// host packs it into panels from H = 512 on, and gathers dGh's rows for its 16-row kernel).
    /// </summary>
    public CheckResult RecurrentBackwardStep(int batch, int gates, int hidden)
    {
        var dGh = RandomFloats(batch * gates); var w = RandomFloats(gates * hidden, 0.5f); var dhPrev = RandomFloats(batch * hidden);
        var expected = GemmReference.Compute(false, false, batch, hidden, gates, 1.0, dGh, gates, w, hidden, 1.0, dhPrev, hidden, null);
        using var dg = Acc.Allocate1D(dGh); using var dw = Acc.Allocate1D(w); using var dh = Acc.Allocate1D(dhPrev);
        long length = device.Ops.BackwardRecurrentWeightsLength(gates, hidden);
        using var prepared = Acc.Allocate1D<float>(Math.Max(1, length));
        var preparedView = length > 0 ? prepared.View : default;
        device.Ops.PrepareBackwardRecurrentWeights(dw.View, preparedView, gates, hidden);
        device.Ops.RecurrentBackwardStep(dg.View, dw.View, preparedView, dh.View, batch, gates, hidden);
        return Compare("RecurrentBackwardStep", $"B {batch}, G {gates}, H {hidden}", dh.GetAsArray1D(), expected,
            1e-6 * (gates + 1), 1e-5);
    }

    public CheckResult Transpose(int batch, int steps, int width)
    {
        var x = RandomFloats(batch * steps * width);
        using var src = Acc.Allocate1D(x); using var mid = Acc.Allocate1D<float>(x.Length); using var back = Acc.Allocate1D<float>(x.Length);
        device.Ops.Transpose(src.View, mid.View, batch, steps, width, true);
        device.Ops.Transpose(mid.View, back.View, batch, steps, width, false);
        var timeMajor = mid.GetAsArray1D();
        var expected = new double[x.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                for (int c = 0; c < width; c++)
                    expected[(t * batch + b) * width + c] = x[(b * steps + t) * width + c];
        return Merge("Transpose both ways", $"B {batch}, T {steps}, W {width}", Compare("", "", timeMajor, expected, 0, 0),
            Compare("", "", back.GetAsArray1D(), D(x), 0, 0));
    }

    /// <summary>The selftest sweep: awkward shapes (batch 1, hidden 1, sizes off every tile).</summary>
    public IEnumerable<CheckResult> All()
    {
        // The host path has one GEMM (null); a device with kernels checks every version.
        GemmVersion?[] versions = !device.HasKernels ? [null]
            : [GemmVersion.RowBlock, GemmVersion.Tiled, GemmVersion.TiledBlocked, GemmVersion.TiledBlockedSplit];
        foreach (var version in versions)
        {
            yield return Gemm(version, false, false, 1, 1, 1, false, 0f);
            yield return Gemm(version, false, true, 7, 33, 17, true, 0f);
            yield return Gemm(version, true, false, 33, 5, 19, false, 1f);
            yield return Gemm(version, true, true, 18, 3, 65, true, 0.5f);
        }
        yield return OneHot(1, 4, 1);
        yield return OneHot(37, 12, 83);
        foreach (var (b, h) in new[] { (1, 1), (3, 17), (5, 33) })
        {
            yield return Lstm(b, h);
            yield return Gru(b, h);
            yield return Rnn(b, h);
        }
        foreach (var (b, h) in new[] { (1, 1), (3, 17), (9, 40) })
            foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
                yield return RecurrentStep(cell, b, h);
        yield return RecurrentBackwardStep(3, 68, 17);
        yield return RecurrentBackwardStep(5, 2120, 530);
        yield return CrossEntropy(1, 2);
        yield return CrossEntropy(37, 83);
        yield return Mse(1);
        yield return Mse(41);
        yield return Reductions(1, 1);
        yield return Reductions(67, 133);
        yield return ClipAndOptimizers(1);
        yield return ClipAndOptimizers(1001);
        yield return Dropout(1, 0.5f);
        yield return Dropout(999, 0.3f);
        yield return Transpose(3, 5, 7);
        yield return Transpose(17, 9, 1);
    }

    private float[] RandomFloats(int count, float scale = 1f) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();

    private static double[] D(float[] values) => values.Select(v => (double)v).ToArray();

    private static CheckResult Compare(string kernel, string shape, float[] got, double[] expected, double atol, double rtol)
    {
        double maxAbs = 0, maxRel = 0;
        bool passed = got.Length == expected.Length;
        for (int i = 0; i < Math.Min(got.Length, expected.Length); i++)
        {
            double err = Math.Abs(got[i] - expected[i]);
            if (double.IsNaN(got[i])) err = double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, err);
            maxRel = Math.Max(maxRel, err / Math.Max(Math.Abs(expected[i]), 1e-30));
            if (!(err <= atol + rtol * Math.Abs(expected[i]))) passed = false;
        }
        return new CheckResult(kernel, shape, maxAbs, Math.Min(maxRel, maxAbs == 0 ? 0 : maxRel), passed, atol, rtol);
    }

    private static CheckResult Merge(string kernel, string shape, params CheckResult[] parts) =>
        new(kernel, shape, parts.Max(p => p.MaxAbsError), parts.Max(p => p.MaxRelError), parts.All(p => p.Passed),
            parts.Max(p => p.Atol), parts.Max(p => p.Rtol));
}
