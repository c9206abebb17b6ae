using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The dropout mask of <see cref="Dropout.Forward"/> on the host: element i keeps (mask 1/(1-p))
/// when Philox(counter = (i, stream), key = seed) maps to u ≥ p, the very draws every
/// accelerator makes, so a seed drops the same units on the host path as on a GPU.
/// With AVX-512, Philox runs 8 counters at once in 64-bit lanes that each hold one 32-bit word,
/// so a product's high and low halves are a shift and a mask away (vpmuludq); with AVX2 the same
/// 4 counters at a time (scalar, it took 7.5% of a lesson step on the Zen 3 VM); elsewhere, and for
/// the tail, it runs the scalar <see cref="Philox"/>.
/// <para>
/// A round's multiply, shift and xor depend on one another (about 6 cycles), so one vector at a time
/// leaves the vector units idle: the main loop carries four vectors (32 counters) through the rounds
/// together (1.9x over one at a time, single-threaded, 204,800 elements on the Zen 4 VM). The first
/// round's c1..c3 are the same for every element, so its p1 and word 0 are scalars; the last round
/// needs only word 0.
/// </para>
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
            ulong first = (ulong)M1 * a.StreamHi;
            var firstC0 = Vector512.Create((ulong)((uint)(first >> 32) ^ a.StreamLo ^ a.SeedLo));
            var firstC1 = Vector512.Create((ulong)(uint)first);
            ulong* keys = stackalloc ulong[20];
            for (int round = 0; round < 10; round++)
            {
                keys[2 * round] = a.SeedLo + (uint)round * W0;
                keys[2 * round + 1] = a.SeedHi + (uint)round * W1;
            }
            // Four vectors through the rounds together: round 1 from the scalar word 0 and 1, rounds
            // 2-9, then word 0 of round 10 only.
            for (; i <= end - 32; i += 32)
            {
                var firstKey = Vector512.Create(keys[1]);
                var ap = Avx512F.Multiply(m0, (Vector512.Create((ulong)(uint)i) + lane).AsUInt32());
                Vector512<ulong> a0 = firstC0, a1 = firstC1, a2 = (ap >> 32) ^ firstKey, a3 = ap & low;
                var bp = Avx512F.Multiply(m0, (Vector512.Create((ulong)(uint)(i + 8)) + lane).AsUInt32());
                Vector512<ulong> b0 = firstC0, b1 = firstC1, b2 = (bp >> 32) ^ firstKey, b3 = bp & low;
                var cp = Avx512F.Multiply(m0, (Vector512.Create((ulong)(uint)(i + 16)) + lane).AsUInt32());
                Vector512<ulong> c0 = firstC0, c1 = firstC1, c2 = (cp >> 32) ^ firstKey, c3 = cp & low;
                var dp = Avx512F.Multiply(m0, (Vector512.Create((ulong)(uint)(i + 24)) + lane).AsUInt32());
                Vector512<ulong> d0 = firstC0, d1 = firstC1, d2 = (dp >> 32) ^ firstKey, d3 = dp & low;
                for (int round = 1; round < 9; round++)
                {
                    var k0 = Vector512.Create(keys[2 * round]);
                    var k1 = Vector512.Create(keys[2 * round + 1]);
                    var aq0 = Avx512F.Multiply(m0, a0.AsUInt32());
                    var aq1 = Avx512F.Multiply(m1, a2.AsUInt32());
                    a0 = (aq1 >> 32) ^ a1 ^ k0; a2 = (aq0 >> 32) ^ a3 ^ k1; a1 = aq1 & low; a3 = aq0 & low;
                    var bq0 = Avx512F.Multiply(m0, b0.AsUInt32());
                    var bq1 = Avx512F.Multiply(m1, b2.AsUInt32());
                    b0 = (bq1 >> 32) ^ b1 ^ k0; b2 = (bq0 >> 32) ^ b3 ^ k1; b1 = bq1 & low; b3 = bq0 & low;
                    var cq0 = Avx512F.Multiply(m0, c0.AsUInt32());
                    var cq1 = Avx512F.Multiply(m1, c2.AsUInt32());
                    c0 = (cq1 >> 32) ^ c1 ^ k0; c2 = (cq0 >> 32) ^ c3 ^ k1; c1 = cq1 & low; c3 = cq0 & low;
                    var dq0 = Avx512F.Multiply(m0, d0.AsUInt32());
                    var dq1 = Avx512F.Multiply(m1, d2.AsUInt32());
                    d0 = (dq1 >> 32) ^ d1 ^ k0; d2 = (dq0 >> 32) ^ d3 ^ k1; d1 = dq1 & low; d3 = dq0 & low;
                }
                var last = Vector512.Create(keys[18]);
                Store((Avx512F.Multiply(m1, a2.AsUInt32()) >> 32) ^ a1 ^ last, p, scale, mask + i);
                Store((Avx512F.Multiply(m1, b2.AsUInt32()) >> 32) ^ b1 ^ last, p, scale, mask + i + 8);
                Store((Avx512F.Multiply(m1, c2.AsUInt32()) >> 32) ^ c1 ^ last, p, scale, mask + i + 16);
                Store((Avx512F.Multiply(m1, d2.AsUInt32()) >> 32) ^ d1 ^ last, p, scale, mask + i + 24);
            }
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
                Store(c0, p, scale, mask + i);
            }
        }
        else if (Avx2.IsSupported)
        {
            var low = Vector256.Create(0xFFFF_FFFFul);
            var m0 = Vector256.Create((ulong)M0).AsUInt32();
            var m1 = Vector256.Create((ulong)M1).AsUInt32();
            var lane = Vector256.Create(0ul, 1, 2, 3);
            var p = Vector128.Create(a.Probability);
            var scale = Vector128.Create(a.Scale);
            ulong first = (ulong)M1 * a.StreamHi;
            var firstC0 = Vector256.Create((ulong)((uint)(first >> 32) ^ a.StreamLo ^ a.SeedLo));
            var firstC1 = Vector256.Create((ulong)(uint)first);
            ulong* keys = stackalloc ulong[20];
            for (int round = 0; round < 10; round++)
            {
                keys[2 * round] = a.SeedLo + (uint)round * W0;
                keys[2 * round + 1] = a.SeedHi + (uint)round * W1;
            }
            for (; i <= end - 16; i += 16)
            {
                var firstKey = Vector256.Create(keys[1]);
                var ap = Avx2.Multiply(m0, (Vector256.Create((ulong)(uint)i) + lane).AsUInt32());
                Vector256<ulong> a0 = firstC0, a1 = firstC1, a2 = (ap >> 32) ^ firstKey, a3 = ap & low;
                var bp = Avx2.Multiply(m0, (Vector256.Create((ulong)(uint)(i + 4)) + lane).AsUInt32());
                Vector256<ulong> b0 = firstC0, b1 = firstC1, b2 = (bp >> 32) ^ firstKey, b3 = bp & low;
                var cp = Avx2.Multiply(m0, (Vector256.Create((ulong)(uint)(i + 8)) + lane).AsUInt32());
                Vector256<ulong> c0 = firstC0, c1 = firstC1, c2 = (cp >> 32) ^ firstKey, c3 = cp & low;
                var dp = Avx2.Multiply(m0, (Vector256.Create((ulong)(uint)(i + 12)) + lane).AsUInt32());
                Vector256<ulong> d0 = firstC0, d1 = firstC1, d2 = (dp >> 32) ^ firstKey, d3 = dp & low;
                for (int round = 1; round < 9; round++)
                {
                    var k0 = Vector256.Create(keys[2 * round]);
                    var k1 = Vector256.Create(keys[2 * round + 1]);
                    var aq0 = Avx2.Multiply(m0, a0.AsUInt32());
                    var aq1 = Avx2.Multiply(m1, a2.AsUInt32());
                    a0 = (aq1 >> 32) ^ a1 ^ k0; a2 = (aq0 >> 32) ^ a3 ^ k1; a1 = aq1 & low; a3 = aq0 & low;
                    var bq0 = Avx2.Multiply(m0, b0.AsUInt32());
                    var bq1 = Avx2.Multiply(m1, b2.AsUInt32());
                    b0 = (bq1 >> 32) ^ b1 ^ k0; b2 = (bq0 >> 32) ^ b3 ^ k1; b1 = bq1 & low; b3 = bq0 & low;
                    var cq0 = Avx2.Multiply(m0, c0.AsUInt32());
                    var cq1 = Avx2.Multiply(m1, c2.AsUInt32());
                    c0 = (cq1 >> 32) ^ c1 ^ k0; c2 = (cq0 >> 32) ^ c3 ^ k1; c1 = cq1 & low; c3 = cq0 & low;
                    var dq0 = Avx2.Multiply(m0, d0.AsUInt32());
                    var dq1 = Avx2.Multiply(m1, d2.AsUInt32());
                    d0 = (dq1 >> 32) ^ d1 ^ k0; d2 = (dq0 >> 32) ^ d3 ^ k1; d1 = dq1 & low; d3 = dq0 & low;
                }
                var last = Vector256.Create(keys[18]);
                Store4((Avx2.Multiply(m1, a2.AsUInt32()) >> 32) ^ a1 ^ last, p, scale, mask + i);
                Store4((Avx2.Multiply(m1, b2.AsUInt32()) >> 32) ^ b1 ^ last, p, scale, mask + i + 4);
                Store4((Avx2.Multiply(m1, c2.AsUInt32()) >> 32) ^ c1 ^ last, p, scale, mask + i + 8);
                Store4((Avx2.Multiply(m1, d2.AsUInt32()) >> 32) ^ d1 ^ last, p, scale, mask + i + 12);
            }
            for (; i <= end - 4; i += 4)
            {
                var c0 = Vector256.Create((ulong)(uint)i) + lane;
                var c1 = Vector256.Create((ulong)a.StreamLo);
                var c2 = Vector256.Create((ulong)a.StreamHi);
                var c3 = Vector256<ulong>.Zero;
                uint k0 = a.SeedLo, k1 = a.SeedHi;
                for (int round = 0; round < 10; round++)
                {
                    var p0 = Avx2.Multiply(m0, (c0 & low).AsUInt32());
                    var p1 = Avx2.Multiply(m1, c2.AsUInt32());
                    var n0 = (p1 >> 32) ^ c1 ^ Vector256.Create((ulong)k0);
                    var n2 = (p0 >> 32) ^ c3 ^ Vector256.Create((ulong)k1);
                    c1 = p1 & low; c3 = p0 & low; c0 = n0; c2 = n2;
                    k0 += W0; k1 += W1;
                }
                Store4(c0, p, scale, mask + i);
            }
        }
        for (; i < end; i++)
        {
            uint bits = Philox.Generate((uint)i, a.StreamLo, a.StreamHi, 0u, a.SeedLo, a.SeedHi);
            mask[i] = Philox.ToUnitFloat(bits) >= a.Probability ? a.Scale : 0f;
        }
    }

    /// <summary>Philox.ToUnitFloat of four words (the low halves of the lanes), compared with p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(Vector256<ulong> word, Vector128<float> p, Vector128<float> scale, float* to)
    {
        var bits = Avx2.PermuteVar8x32(word.AsUInt32(), Vector256.Create(0u, 2, 4, 6, 0, 2, 4, 6)).GetLower();
        var u = Vector128.ConvertToSingle((bits >> 8).AsInt32()) * (1f / 16777216f);
        Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(u, p), scale, Vector128<float>.Zero).Store(to);
    }

    /// <summary>Philox.ToUnitFloat of eight words (the top 24 bits, times 2^-24, exact in float), compared with p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<ulong> word, Vector256<float> p, Vector256<float> scale, float* to)
    {
        var bits = Avx512F.ConvertToVector256UInt32(word);
        var u = Vector256.ConvertToSingle((bits >> 8).AsInt32()) * (1f / 16777216f);
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(u, p), scale, Vector256<float>.Zero).Store(to);
    }
}
