using IlgpuLstm.References;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>
/// The references' backward passes against central finite differences of their forward passes,
/// in float64 (torch-rnn's gradcheck). The kernels are checked against these references, so
/// together they check every kernel's backward. Relative error = |a - n| / max(|a| + |n|, 1e-3): the floor keeps float64 rounding in the
/// differences of tiny gradients from reading as relative error.
/// </summary>
public sealed class ReferenceGradientTests
{
    private const double Step = 1e-6, Tolerance = 1e-6;
    private readonly Random random = new(11);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    public void LstmBackwardMatchesFiniteDifferences(int batch, int hidden)
    {
        int n = batch * hidden;
        var gx = Random(4 * n, 2); var gh = Random(4 * n, 2); var cPrev = Random(n, 1);
        var wh = Random(n, 1); var wc = Random(n, 1);
        double Loss(double[] x, double[] c0)
        {
            var (_, c, h) = LstmCellReference.Forward(x, gh, c0, batch, hidden);
            return Dot(wh, h) + Dot(wc, c);
        }
        var (gates, cOut, _) = LstmCellReference.Forward(gx, gh, cPrev, batch, hidden);
        var (dGates, dcPrev) = LstmCellReference.Backward(gates, cPrev, cOut, wh, wc, batch, hidden);
        AssertGradient(dGates, gx, x => Loss(x, cPrev));
        AssertGradient(dcPrev, cPrev, c0 => Loss(gx, c0));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    public void GruBackwardMatchesFiniteDifferences(int batch, int hidden)
    {
        int n = batch * hidden;
        var gx = Random(3 * n, 2); var gh = Random(3 * n, 2); var hPrev = Random(n, 1); var w = Random(n, 1);
        double Loss(double[] x, double[] hh, double[] h0) => Dot(w, GruCellReference.Forward(x, hh, h0, batch, hidden).H);
        var (gates, _) = GruCellReference.Forward(gx, gh, hPrev, batch, hidden);
        var (dGx, dGh, dhPrev) = GruCellReference.Backward(gates, gh, hPrev, w, batch, hidden);
        AssertGradient(dGx, gx, x => Loss(x, gh, hPrev));
        AssertGradient(dGh, gh, x => Loss(gx, x, hPrev));
        AssertGradient(dhPrev, hPrev, x => Loss(gx, gh, x));
    }

    [Fact]
    public void RnnBackwardMatchesFiniteDifferences()
    {
        var gx = Random(7, 2); var gh = Random(7, 2); var w = Random(7, 1);
        var h = RnnCellReference.Forward(gx, gh);
        AssertGradient(RnnCellReference.Backward(h, w), gx, x => Dot(w, RnnCellReference.Forward(x, gh)));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(4, 7)]
    public void SoftmaxCrossEntropyGradientMatchesFiniteDifferences(int rows, int vocab)
    {
        var logits = Random(rows * vocab, 5);
        var targets = Enumerable.Range(0, rows).Select(r => r * 3 % vocab).ToArray();
        double Mean(double[] x) => LossReference.SoftmaxCrossEntropy(x, targets, vocab, 1.0 / rows).RowLoss.Average();
        AssertGradient(LossReference.SoftmaxCrossEntropy(logits, targets, vocab, 1.0 / rows).DLogits, logits, Mean);
    }

    [Fact]
    public void MeanSquaredErrorGradientMatchesFiniteDifferences()
    {
        var p = Random(9, 1); var t = Random(9, 1);
        AssertGradient(LossReference.MeanSquaredError(p, t, 1.0 / 9).DPrediction, p,
            x => LossReference.MeanSquaredError(x, t, 1.0 / 9).Squared.Average());
    }

    [Fact]
    public void OneHotBackwardMatchesFiniteDifferences()
    {
        int[] tokens = [2, 0, 2, 1];
        const int gateWidth = 3, vocab = 4;
        var w = Random(gateWidth * vocab, 1).Select(v => (float)v).ToArray();
        var bias = new float[gateWidth];
        var upstream = Random(tokens.Length * gateWidth, 1);
        var analytic = OneHotProjectionReference.Backward(tokens, upstream.Select(v => (float)v).ToArray(),
            new float[gateWidth * vocab], gateWidth, vocab);
        AssertGradient(analytic, w.Select(v => (double)v).ToArray(), x =>
            Dot(upstream, OneHotProjectionReference.Forward(tokens, x.Select(v => (float)v).ToArray(), bias, gateWidth, vocab)),
            step: 1e-2, tolerance: 1e-5); // linear in W, so a large step is exact; float inputs limit precision.
    }

    private static void AssertGradient(double[] analytic, double[] input, Func<double[], double> loss,
        double step = Step, double tolerance = Tolerance)
    {
        for (int i = 0; i < input.Length; i++)
        {
            double saved = input[i];
            input[i] = saved + step; double plus = loss(input);
            input[i] = saved - step; double minus = loss(input);
            input[i] = saved;
            double numeric = (plus - minus) / (2 * step);
            double error = Math.Abs(analytic[i] - numeric) / Math.Max(Math.Abs(analytic[i]) + Math.Abs(numeric), 1e-3);
            Assert.True(error < tolerance, $"element {i}: analytic {analytic[i]:G9}, numeric {numeric:G9}, rel {error:E2}");
        }
    }

    private double[] Random(int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (random.NextDouble() * 2 - 1) * scale).ToArray();

    private static double Dot(double[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();
}
