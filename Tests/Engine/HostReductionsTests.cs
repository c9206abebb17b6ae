using System.Runtime.Intrinsics;
using IlgpuLstm.Engine.Ops.Host;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// The width-independent sums and dot products against float64 references, on sizes around their
/// 32 partial sums (empty, one, ragged, whole blocks), and the same bits from every vector width.
/// </summary>
public sealed unsafe class HostReductionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(83)]
    [InlineData(8192)]
    [InlineData(10_007)]
    public void MatchFloat64AndAgreeBitForBitAtEveryWidth(int n)
    {
        var random = new Random(n + 11);
        var a = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var b = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        double sum = a.Sum(x => (double)x), squares = a.Sum(x => (double)x * x), dot = a.Zip(b, (x, y) => (double)x * y).Sum();
        fixed (float* pa = a, pb = b)
        {
            float* xa = n > 0 ? pa : null, xb = n > 0 ? pb : null;
            double tolerance = 1e-6 * (1 + Math.Sqrt(n));
            Assert.True(Math.Abs(HostReductions.Sum(xa, n) - sum) <= tolerance * (1 + Math.Abs(sum)), $"sum of {n}");
            Assert.True(Math.Abs(HostReductions.SumOfSquares(xa, n) - squares) <= tolerance * (1 + squares), $"squares of {n}");
            Assert.True(Math.Abs(HostReductions.Dot(xa, xb, n) - dot) <= tolerance * (1 + Math.Abs(dot)), $"dot of {n}");
            foreach (var kind in Enum.GetValues<HostReductions.Kind>())
            {
                float narrowest = HostReductions.Reduce<Vec128>(xa, xb, n, kind);
                if (Vector256.IsHardwareAccelerated)
                    Assert.Equal(BitConverter.SingleToInt32Bits(narrowest), BitConverter.SingleToInt32Bits(HostReductions.Reduce<Vec256>(xa, xb, n, kind)));
                if (Vector512.IsHardwareAccelerated)
                    Assert.Equal(BitConverter.SingleToInt32Bits(narrowest), BitConverter.SingleToInt32Bits(HostReductions.Reduce<Vec512>(xa, xb, n, kind)));
            }
        }
    }
}
