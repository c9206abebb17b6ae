using System.Runtime.Intrinsics;
using IlgpuLstm.Engine.Ops.Host;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// The host cells' vector exp, sigmoid and tanh against float64 <see cref="Math"/> over the whole
/// float range a gate can take, at both register widths: accurate to a few float ulps, NaN kept
/// (a diverged run must still end in a NaN loss), infinities saturated; results below the smallest
/// normal float may flush to zero.
/// </summary>
public sealed unsafe class HostActivationsTests
{
    /// <summary>Inputs from -100 to 100, dense near 0 where tanh's two forms meet, plus the edges.</summary>
    private static float[] Inputs()
    {
        var xs = new List<float>();
        for (int i = -20000; i <= 20000; i++) xs.Add(i * 0.005f);
        for (int i = -400; i <= 400; i++) xs.Add(i * 0.25f);
        for (int e = -40; e <= 0; e++) { xs.Add(MathF.Pow(2, e)); xs.Add(-MathF.Pow(2, e)); }
        xs.AddRange([0f, -0f, 0.625f, -0.625f, 0.62499994f, 87.3f, -87.3f, 88f, -88f, 88.7f, -88.7f, 1e30f, -1e30f]);
        while (xs.Count % 16 != 0) xs.Add(0.5f);
        return [.. xs];
    }

    [Fact]
    public void WideMatchesFloat64()
    {
        if (!Vector512.IsHardwareAccelerated) return;
        Check<Vec512>();
    }

    [Fact]
    public void NarrowMatchesFloat64() => Check<Vec256>();

    private static void Check<V>() where V : struct, ISimd<V>
    {
        var xs = Inputs();
        var exp = new float[xs.Length]; var sig = new float[xs.Length]; var tanh = new float[xs.Length];
        Apply<V>(xs, exp, sig, tanh);
        for (int i = 0; i < xs.Length; i++)
        {
            double x = xs[i];
            if (x is > -87 and < 88) AssertClose(Math.Exp(x), exp[i], 0, 4e-7, "exp", x);
            AssertClose(1 / (1 + Math.Exp(-x)), sig[i], 1.2e-38, 4e-7, "sigmoid", x);
            AssertClose(Math.Tanh(x), tanh[i], 1.2e-38, 4e-7, "tanh", x);
        }
    }

    [Fact]
    public void NaNStaysNaNAndInfinitiesSaturate()
    {
        float[] xs = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.NaN, .. Enumerable.Repeat(1f, 12)];
        var exp = new float[16]; var sig = new float[16]; var tanh = new float[16];
        Apply<Vec256>(xs, exp, sig, tanh);
        Assert.True(float.IsNaN(exp[0]) && float.IsNaN(sig[0]) && float.IsNaN(tanh[0]), "NaN in gives NaN out (narrow)");
        Assert.Equal((1f, 1f), (sig[1], tanh[1]));
        Assert.True(sig[2] < 1e-38f && tanh[2] == -1f, $"sigmoid(-inf) {sig[2]}, tanh(-inf) {tanh[2]}");
        if (!Vector512.IsHardwareAccelerated) return;
        Apply<Vec512>(xs, exp, sig, tanh);
        Assert.True(float.IsNaN(exp[3]) && float.IsNaN(sig[3]) && float.IsNaN(tanh[3]), "NaN in gives NaN out (wide)");
        Assert.Equal((1f, 1f), (sig[1], tanh[1]));
        Assert.True(sig[2] < 1e-38f && tanh[2] == -1f, $"sigmoid(-inf) {sig[2]}, tanh(-inf) {tanh[2]}");
    }

    private static void Apply<V>(float[] xs, float[] exp, float[] sig, float[] tanh) where V : struct, ISimd<V>
    {
        fixed (float* x = xs, e = exp, s = sig, t = tanh)
            for (int i = 0; i + V.Count <= xs.Length; i += V.Count)
            {
                var v = V.Load(x + i);
                V.Store(HostActivations.Exp(v), e + i);
                V.Store(HostActivations.Sigmoid(v), s + i);
                V.Store(HostActivations.Tanh(v), t + i);
            }
    }

    private static void AssertClose(double expected, float got, double atol, double rtol, string what, double x) =>
        Assert.True(Math.Abs(got - expected) <= atol + rtol * Math.Abs(expected),
            $"{what}({x:G9}) = {got:G9}, float64 {expected:G17}");
}
