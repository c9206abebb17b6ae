namespace IlgpuLstm.Kernels;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), a
/// counter-based generator: the output depends only on (counter, key), so every accelerator
/// draws the same numbers for the same seed and element, in any thread order.
/// Plain integer arithmetic, callable from kernels and from the host.
/// </summary>
internal static class Philox
{
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    /// <summary>First 32-bit word of Philox4x32-10 at counter (c0..c3) and key (k0, k1).</summary>
    public static uint Generate(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1) =>
        Generate4(c0, c1, c2, c3, k0, k1).Item1;

    /// <summary>All four words of Philox4x32-10 at counter (c0..c3) and key (k0, k1).</summary>
    public static (uint, uint, uint, uint) Generate4(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1; c3 = (uint)p0; c0 = n0; c2 = n2;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>A float in [0, 1) from the top 24 bits.</summary>
    public static float ToUnitFloat(uint bits) => (bits >> 8) * (1f / 16777216f);
}
