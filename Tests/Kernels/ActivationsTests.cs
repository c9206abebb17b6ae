using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>The kernels' tanh (written out so that no backend approximates it) against float64.</summary>
public sealed class ActivationsTests
{
    [Fact]
    public void TanhIsWithinAFewUlpEverywhere()
    {
        var xs = new List<float> { 0f, -0f, 1e-30f, -1e-8f, 0.2999999f, 0.3f, 0.3000001f, -0.3f, 1f, 9f, 9.1f, 20f, -50f, 88f, -89f };
        var random = new Random(11);
        for (int i = 0; i < 100_000; i++) xs.Add((float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-6, 2))));
        foreach (float x in xs)
        {
            double expected = Math.Tanh(x);
            float actual = Activations.Tanh(x);
            Assert.True(Math.Abs(actual - expected) <= 4 * Math.Max(1e-45, MathF.BitIncrement(MathF.Abs((float)expected)) - MathF.Abs((float)expected)) + 1e-12,
                $"tanh({x:R}) = {actual:R}, float64 says {expected:R}");
        }
        Assert.Equal(1f, Activations.Tanh(float.PositiveInfinity));
        Assert.Equal(-1f, Activations.Tanh(float.NegativeInfinity));
        Assert.True(float.IsNaN(Activations.Tanh(float.NaN)));
    }
}
