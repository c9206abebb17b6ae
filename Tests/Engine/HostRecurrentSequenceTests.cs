using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Ops.Host;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// The host path runs a small layer's whole time loop as one operation (a block of batch rows per
/// chunk through every step). It must give the very bits of the step-by-step operations, which the
/// kernel tests check against their references: forward on random states, gates and weights, then
/// backward on random output gradients, at sizes that are not multiples of the tiles.
/// </summary>
public sealed class HostRecurrentSequenceTests
{
    [Theory]
    [InlineData(CellKind.Lstm, 9, 1, 3)]
    [InlineData(CellKind.Lstm, 20, 100, 7)]
    [InlineData(CellKind.Lstm, 32, 128, 5)]
    [InlineData(CellKind.Gru, 13, 17, 4)]
    [InlineData(CellKind.Gru, 33, 128, 3)]
    [InlineData(CellKind.Rnn, 17, 45, 6)]
    [InlineData(CellKind.Rnn, 9, 300, 2)]
    [InlineData(CellKind.Lstm, 11, 33, 1)]
    public void OneOperationGivesTheBitsOfStepByStep(CellKind cell, int batch, int hidden, int steps)
    {
        using var device = ComputeDevice.OpenHost(2);
        var ops = device.Ops;
        var acc = device.Accelerator;
        var random = new Random(batch * 1000 + hidden * 10 + steps);
        float[] Floats(long n, float scale = 1f) => Enumerable.Range(0, (int)n).Select(_ => ((float)random.NextDouble() - 0.5f) * scale).ToArray();
        int g = cell.Gates() * hidden;
        long bh = (long)batch * hidden, bg = (long)batch * g;
        bool lstm = cell == CellKind.Lstm, gru = cell == CellKind.Gru;

        float[] wHh = Floats((long)g * hidden, 0.6f), bHh = Floats(g), gx = Floats(steps * bg, 2f);
        float[] hs = [.. Floats(bh), .. new float[steps * bh]], cs = [.. Floats(bh), .. new float[steps * bh]];
        using var w = acc.Allocate1D(wHh);
        using var b = acc.Allocate1D(bHh);
        using var prepared = acc.Allocate1D<float>(ops.RecurrentWeightsLength(cell, hidden));
        ops.PrepareRecurrentWeights(cell, w.View, prepared.View, hidden);

        // Forward, both ways.
        using var gxA = acc.Allocate1D(gx);
        using var gxB = acc.Allocate1D(gx);
        using var hsA = acc.Allocate1D(hs);
        using var hsB = acc.Allocate1D(hs);
        using var csA = acc.Allocate1D(cs);
        using var csB = acc.Allocate1D(cs);
        using var ghA = acc.Allocate1D<float>(steps * bg);
        using var ghB = acc.Allocate1D<float>(steps * bg);
        Assert.True(ops.RecurrentForwardSequence(cell, hsA.View, prepared.View, b.View, gxA.View, ghA.View, csA.View, batch, hidden, steps));
        for (int t = 0; t < steps; t++)
            ops.RecurrentForwardStep(cell, hsB.View.SubView(t * bh, bh), prepared.View, b.View, gxB.View.SubView(t * bg, bg),
                ghB.View.SubView(t * bg, bg), csB.View.SubView(t * bh, bh), csB.View.SubView((t + 1) * bh, bh),
                hsB.View.SubView((t + 1) * bh, bh), batch, hidden);
        Assert.Equal(hsB.GetAsArray1D(), hsA.GetAsArray1D());
        Assert.Equal(gxB.GetAsArray1D(), gxA.GetAsArray1D());
        if (lstm) Assert.Equal(csB.GetAsArray1D(), csA.GetAsArray1D());
        if (gru) Assert.Equal(ghB.GetAsArray1D(), ghA.GetAsArray1D());

        // Backward from the same forward, both ways.
        float[] dOut = Floats(steps * bh);
        using var dhsA = acc.Allocate1D(dOut);
        using var dhsB = acc.Allocate1D(dOut);
        using var dcA = acc.Allocate1D(new float[bh]);
        using var dcB = acc.Allocate1D(new float[bh]);
        using var dGxA = acc.Allocate1D<float>(steps * bg);
        using var dGxB = acc.Allocate1D<float>(steps * bg);
        using var dGhA = acc.Allocate1D<float>(steps * bg);
        using var dGhB = acc.Allocate1D<float>(steps * bg);
        using var dh0A = acc.Allocate1D(new float[bh]);
        using var dh0B = acc.Allocate1D(new float[bh]);
        var dGhViewA = gru ? dGhA.View : dGxA.View;
        var dGhViewB = gru ? dGhB.View : dGxB.View;
        Assert.True(ops.RecurrentBackwardSequence(cell, gxA.View, ghA.View, hsA.View, csA.View, dhsA.View, dcA.View, dGxA.View,
            dGhViewA, dh0A.View, w.View, batch, hidden, steps));
        using var backwardPrepared = acc.Allocate1D<float>(Math.Max(1, ops.BackwardRecurrentWeightsLength(g, hidden)));
        ops.PrepareBackwardRecurrentWeights(w.View, backwardPrepared.View, g, hidden);
        for (int t = steps - 1; t >= 0; t--)
        {
            var dh = dhsB.View.SubView(t * bh, bh);
            var dGx = dGxB.View.SubView(t * bg, bg);
            var dGh = dGhViewB.SubView(t * bg, bg);
            var dhPrev = t > 0 ? dhsB.View.SubView((t - 1) * bh, bh) : dh0B.View;
            switch (cell)
            {
                case CellKind.Lstm:
                    ops.LstmBackward(gxB.View.SubView(t * bg, bg), csB.View.SubView(t * bh, bh), csB.View.SubView((t + 1) * bh, bh),
                        dh, dcB.View, dGx, batch, hidden);
                    break;
                case CellKind.Gru:
                    ops.GruBackward(gxB.View.SubView(t * bg, bg), ghB.View.SubView(t * bg, bg), hsB.View.SubView(t * bh, bh), dh,
                        dGx, dGh, dhPrev, batch, hidden);
                    break;
                default:
                    ops.RnnBackward(hsB.View.SubView((t + 1) * bh, bh), dh, dGx, batch, hidden);
                    break;
            }
            if (t > 0) ops.RecurrentBackwardStep(dGh, w.View, backwardPrepared.View, dhPrev, batch, g, hidden);
        }
        Assert.Equal(dhsB.GetAsArray1D(), dhsA.GetAsArray1D());
        Assert.Equal(dGxB.GetAsArray1D(), dGxA.GetAsArray1D());
        if (lstm) Assert.Equal(dcB.GetAsArray1D(), dcA.GetAsArray1D());
        if (gru)
        {
            Assert.Equal(dGhB.GetAsArray1D(), dGhA.GetAsArray1D());
            Assert.Equal(dh0B.GetAsArray1D(), dh0A.GetAsArray1D());
        }
    }

    /// <summary>
    /// Given its input, the time loop makes each step's gx itself: the very bits of the caller's
    /// projection followed by the loop. Tokens: OneHotForward, with tokens repeated and a vocabulary
    /// above and below the row count. Dense rows: the GEMM x·W_ihᵀ + b_ih, with 16-row blocks
    /// (AVX-512) and without, ragged.
    /// </summary>
    [Theory]
    [InlineData(true, CellKind.Lstm, 32, 128, 5, 83)]
    [InlineData(true, CellKind.Lstm, 20, 33, 3, 7)]
    [InlineData(true, CellKind.Gru, 17, 40, 4, 300)]
    [InlineData(true, CellKind.Rnn, 9, 45, 2, 5)]
    [InlineData(false, CellKind.Lstm, 32, 128, 4, 128)]
    [InlineData(false, CellKind.Lstm, 20, 33, 3, 7)]
    [InlineData(false, CellKind.Gru, 17, 40, 4, 100)]
    [InlineData(false, CellKind.Rnn, 9, 45, 2, 1)]
    [InlineData(false, CellKind.Lstm, 12, 20, 3, 300)]
    public void InputGivenGivesTheBitsOfTheProjectionThenTheLoop(bool tokens, CellKind cell, int batch, int hidden, int steps,
        int width) =>
        ProjectionInsideGivesTheBitsOfOutside(cell, batch, hidden, steps, width, (acc, random, rows) =>
        {
            if (tokens)
            {
                var ids = acc.Allocate1D(Enumerable.Range(0, rows).Select(_ => random.Next(width)).ToArray());
                return (ids, RecurrentInput.FromTokens(ids.View, default, width));
            }
            var x = acc.Allocate1D(Enumerable.Range(0, rows * width).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
            return (x, RecurrentInput.FromDense(x.View, width));
        }, (ops, input, w, b, gx, rows, g) =>
        {
            if (tokens) ops.OneHotForward(input.Tokens, w, b, gx, rows, g, width);
            else ops.Gemm(false, true, rows, g, width, 1f, input.Dense, width, w, width, 0f, gx, g, b);
        });

    /// <summary>
    /// The loop given its input (inside) against the caller's projection then the loop (outside):
    /// hidden states, gates, and c or gh the same bits.
    /// </summary>
    private static void ProjectionInsideGivesTheBitsOfOutside(CellKind cell, int batch, int hidden, int steps, int width,
        Func<Accelerator, Random, int, (IDisposable Buffer, RecurrentInput Input)> makeInput,
        Action<IOps, RecurrentInput, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> projectOutside)
    {
        using var device = ComputeDevice.OpenHost(2);
        var ops = device.Ops;
        var acc = device.Accelerator;
        var random = new Random(batch + hidden + steps + width);
        float[] Floats(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        int g = cell.Gates() * hidden, rows = batch * steps;
        long bh = (long)batch * hidden;
        var (inputBuffer, input) = makeInput(acc, random, rows);
        using var owned = inputBuffer;
        using var wIh = acc.Allocate1D(Floats((long)g * width));
        using var bIh = acc.Allocate1D(Floats(g));
        using var w = acc.Allocate1D(Floats((long)g * hidden));
        using var b = acc.Allocate1D(Floats(g));
        using var prepared = acc.Allocate1D<float>(ops.RecurrentWeightsLength(cell, hidden));
        ops.PrepareRecurrentWeights(cell, w.View, prepared.View, hidden);
        float[] hs = [.. Floats(bh), .. new float[steps * bh]], cs = [.. Floats(bh), .. new float[steps * bh]];
        using var hsA = acc.Allocate1D(hs);
        using var hsB = acc.Allocate1D(hs);
        using var csA = acc.Allocate1D(cs);
        using var csB = acc.Allocate1D(cs);
        using var gxA = acc.Allocate1D<float>((long)rows * g);
        using var gxB = acc.Allocate1D<float>((long)rows * g);
        using var ghA = acc.Allocate1D<float>((long)rows * g);
        using var ghB = acc.Allocate1D<float>((long)rows * g);

        Assert.True(ops.RecurrentForwardSequence(cell, hsA.View, prepared.View, b.View, gxA.View, ghA.View, csA.View, batch, hidden,
            steps, new InputProjection(input, wIh.View, bIh.View)));
        projectOutside(ops, input, wIh.View, bIh.View, gxB.View, rows, g);
        Assert.True(ops.RecurrentForwardSequence(cell, hsB.View, prepared.View, b.View, gxB.View, ghB.View, csB.View, batch, hidden, steps));
        Assert.Equal(hsB.GetAsArray1D(), hsA.GetAsArray1D());
        Assert.Equal(gxB.GetAsArray1D(), gxA.GetAsArray1D());
        if (cell == CellKind.Lstm) Assert.Equal(csB.GetAsArray1D(), csA.GetAsArray1D());
        if (cell == CellKind.Gru) Assert.Equal(ghB.GetAsArray1D(), ghA.GetAsArray1D());
    }

    /// <summary>An input wider than one K pass of the GEMM is left to the caller to project.</summary>
    [Fact]
    public void AWideDenseInputIsLeftToTheCaller()
    {
        using var device = ComputeDevice.OpenHost(2);
        Assert.True(HostRecurrentSequence.Applies(CellKind.Lstm, 32, 64));
        Assert.False(device.Ops.RecurrentForwardSequence(CellKind.Lstm, default, default, default, default, default, default, 32, 64,
            3, new InputProjection(RecurrentInput.FromDense(default, 600), default, default)));
    }

    /// <summary>Where one row block would leave a core idle, or W_hh would not stay in L2, the layer runs step by step.</summary>
    [Theory]
    [InlineData(CellKind.Lstm, 8, 64)]
    [InlineData(CellKind.Lstm, 64, 512)]
    [InlineData(CellKind.Gru, 32, 256)]
    public void TheHostDeclinesWhereStepsAreBetter(CellKind cell, int batch, int hidden)
    {
        using var device = ComputeDevice.OpenHost(2);
        Assert.False(device.Ops.RecurrentForwardSequence(cell, default, default, default, default, default, default, batch, hidden, 3));
        Assert.False(device.Ops.RecurrentBackwardSequence(cell, default, default, default, default, default, default, default,
            default, default, default, batch, hidden, 3));
    }
}
