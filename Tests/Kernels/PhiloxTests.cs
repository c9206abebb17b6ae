using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>Philox4x32-10 against the known-answer vectors published with Random123 (kat_vectors).</summary>
public sealed class PhiloxTests
{
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
        uint r0, uint r1, uint r2, uint r3)
    {
        Assert.Equal((r0, r1, r2, r3), Philox.Generate4(c0, c1, c2, c3, k0, k1));
    }

    [Fact]
    public void UnitFloatsAreInRangeAndRoughlyUniform()
    {
        var values = Enumerable.Range(0, 20000).Select(i => Philox.ToUnitFloat(Philox.Generate((uint)i, 0, 0, 0, 7, 0))).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0f, 0.99999995f));
        Assert.InRange(values.Average(), 0.49, 0.51);
    }
}
