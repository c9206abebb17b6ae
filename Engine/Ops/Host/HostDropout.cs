using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The dropout mask of <see cref="Dropout.Forward"/> on the host: element i keeps (mask 1/(1-p))
/// when Philox(counter = (i, stream), key = seed) maps to u ≥ p, the very draws every
/// accelerator makes, so a seed drops the same units on the host path as on a GPU.
/// With AVX-512, Philox runs 8 counters at once in 64-bit lanes that each hold one 32-bit word,
/// so a product's high and low halves are a shift and a mask away (vpmuludq); elsewhere, and for
/// the tail, it runs the scalar <see cref="Philox"/>.
/// </summary>
internal static unsafe class HostDropout
{
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    public static void Mask(DropoutArgs a, int start, int end, float* mask)
    {
        int i = start;
        if (Avx512F.IsSupported)
        {
            var low = Vector512.Create(0xFFFF_FFFFul);
            var m0 = Vector512.Create((ulong)M0).AsUInt32();
            var m1 = Vector512.Create((ulong)M1).AsUInt32();
            var lane = Vector512.Create(0ul, 1, 2, 3, 4, 5, 6, 7);
            var p = Vector256.Create(a.Probability);
            var scale = Vector256.Create(a.Scale);
            for (; i <= end - 8; i += 8)
            {
                var c0 = Vector512.Create((ulong)(uint)i) + lane;
                var c1 = Vector512.Create((ulong)a.StreamLo);
                var c2 = Vector512.Create((ulong)a.StreamHi);
                var c3 = Vector512<ulong>.Zero;
                uint k0 = a.SeedLo, k1 = a.SeedHi;
                for (int round = 0; round < 10; round++)
                {
                    var p0 = Avx512F.Multiply(m0, (c0 & low).AsUInt32());
                    var p1 = Avx512F.Multiply(m1, c2.AsUInt32());
                    var n0 = (p1 >> 32) ^ c1 ^ Vector512.Create((ulong)k0);
                    var n2 = (p0 >> 32) ^ c3 ^ Vector512.Create((ulong)k1);
                    c1 = p1 & low; c3 = p0 & low; c0 = n0; c2 = n2;
                    k0 += W0; k1 += W1;
                }
                // Philox.ToUnitFloat: the top 24 bits of the word, times 2^-24 (exact in float).
                var bits = Avx512F.ConvertToVector256UInt32(c0 & low);
                var u = Vector256.ConvertToSingle((bits >> 8).AsInt32()) * (1f / 16777216f);
                Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(u, p), scale, Vector256<float>.Zero)
                    .Store(mask + i);
            }
        }
        for (; i < end; i++)
        {
            uint bits = Philox.Generate((uint)i, a.StreamLo, a.StreamHi, 0u, a.SeedLo, a.SeedHi);
            mask[i] = Philox.ToUnitFloat(bits) >= a.Probability ? a.Scale : 0f;
        }
    }
}
