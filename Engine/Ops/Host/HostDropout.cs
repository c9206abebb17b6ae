using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The dropout mask of <see cref="Dropout.Forward"/> on the host: element i keeps (mask 1/(1-p))
/// when Philox(counter = (i, stream), key = seed) maps to u ≥ p, the very draws every
/// accelerator makes, so a seed drops the same units on the host path as on a GPU.
/// With AVX-512 Philox runs 8 counters at once, with AVX2 4, in 64-bit lanes that each hold one
/// 32-bit word, so a product's high and low halves are a shift and a mask away (vpmuludq);
/// elsewhere, and for the tail, it runs the scalar <see cref="Philox"/> (scalar on the Zen 3 VM's
/// AVX2 it took 7.5% of a lesson step).
/// <para>
/// A round's multiply, shift and xor depend on one another (about 6 cycles), so one vector at a time
/// leaves the vector units idle: the main loop carries four vectors through the rounds together
/// (1.9x over one at a time, single-threaded, 204,800 elements on the Zen 4 VM). The first
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
        if (Avx512F.IsSupported) i = Mask<Words512>(a, start, end, mask);
        else if (Avx2.IsSupported) i = Mask<Words256>(a, start, end, mask);
        for (; i < end; i++)
        {
            uint bits = Philox.Generate((uint)i, a.StreamLo, a.StreamHi, 0u, a.SeedLo, a.SeedHi);
            mask[i] = Philox.ToUnitFloat(bits) >= a.Probability ? a.Scale : 0f;
        }
    }

    /// <summary>Elements from <paramref name="start"/> in whole vectors; returns where the scalar tail begins.</summary>
    private static int Mask<T>(DropoutArgs a, int start, int end, float* mask) where T : struct, IWords<T>
    {
        int i = start, n = T.Count;
        var low = T.Create(0xFFFF_FFFFul);
        var m0 = T.Create(M0);
        var m1 = T.Create(M1);
        ulong first = (ulong)M1 * a.StreamHi;
        var firstC0 = T.Create((uint)(first >> 32) ^ a.StreamLo ^ a.SeedLo);
        var firstC1 = T.Create((uint)first);
        ulong* keys = stackalloc ulong[20];
        for (int round = 0; round < 10; round++)
        {
            keys[2 * round] = a.SeedLo + (uint)round * W0;
            keys[2 * round + 1] = a.SeedHi + (uint)round * W1;
        }
        // Four vectors through the rounds together: round 1 from the scalar word 0 and 1, rounds
        // 2-9, then word 0 of round 10 only.
        for (; i <= end - 4 * n; i += 4 * n)
        {
            var firstKey = T.Create(keys[1]);
            var ap = T.Multiply(m0, T.Counters(i));
            T a0 = firstC0, a1 = firstC1, a2 = T.Xor(T.High(ap), firstKey), a3 = T.And(ap, low);
            var bp = T.Multiply(m0, T.Counters(i + n));
            T b0 = firstC0, b1 = firstC1, b2 = T.Xor(T.High(bp), firstKey), b3 = T.And(bp, low);
            var cp = T.Multiply(m0, T.Counters(i + 2 * n));
            T c0 = firstC0, c1 = firstC1, c2 = T.Xor(T.High(cp), firstKey), c3 = T.And(cp, low);
            var dp = T.Multiply(m0, T.Counters(i + 3 * n));
            T d0 = firstC0, d1 = firstC1, d2 = T.Xor(T.High(dp), firstKey), d3 = T.And(dp, low);
            for (int round = 1; round < 9; round++)
            {
                var k0 = T.Create(keys[2 * round]);
                var k1 = T.Create(keys[2 * round + 1]);
                Round(ref a0, ref a1, ref a2, ref a3, m0, m1, k0, k1, low);
                Round(ref b0, ref b1, ref b2, ref b3, m0, m1, k0, k1, low);
                Round(ref c0, ref c1, ref c2, ref c3, m0, m1, k0, k1, low);
                Round(ref d0, ref d1, ref d2, ref d3, m0, m1, k0, k1, low);
            }
            var last = T.Create(keys[18]);
            T.Store(T.Xor(T.Xor(T.High(T.Multiply(m1, a2)), a1), last), a.Probability, a.Scale, mask + i);
            T.Store(T.Xor(T.Xor(T.High(T.Multiply(m1, b2)), b1), last), a.Probability, a.Scale, mask + i + n);
            T.Store(T.Xor(T.Xor(T.High(T.Multiply(m1, c2)), c1), last), a.Probability, a.Scale, mask + i + 2 * n);
            T.Store(T.Xor(T.Xor(T.High(T.Multiply(m1, d2)), d1), last), a.Probability, a.Scale, mask + i + 3 * n);
        }
        for (; i <= end - n; i += n)
        {
            T c0 = T.Counters(i), c1 = T.Create(a.StreamLo), c2 = T.Create(a.StreamHi), c3 = T.Create(0);
            uint k0 = a.SeedLo, k1 = a.SeedHi;
            for (int round = 0; round < 10; round++)
            {
                var key0 = T.Create(k0);
                c0 = T.And(c0, low);
                Round(ref c0, ref c1, ref c2, ref c3, m0, m1, key0, T.Create(k1), low);
                k0 += W0; k1 += W1;
            }
            T.Store(c0, a.Probability, a.Scale, mask + i);
        }
        return i;
    }

    /// <summary>One Philox round on four words, each in the low half of its lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round<T>(ref T w0, ref T w1, ref T w2, ref T w3, T m0, T m1, T k0, T k1, T low)
        where T : struct, IWords<T>
    {
        var q0 = T.Multiply(m0, w0);
        var q1 = T.Multiply(m1, w2);
        w0 = T.Xor(T.Xor(T.High(q1), w1), k0);
        w2 = T.Xor(T.Xor(T.High(q0), w3), k1);
        w1 = T.And(q1, low);
        w3 = T.And(q0, low);
    }

    /// <summary>A vector of 64-bit lanes, each holding one 32-bit Philox word (or a full product).</summary>
    private interface IWords<TSelf> where TSelf : struct, IWords<TSelf>
    {
        static abstract int Count { get; }
        static abstract TSelf Create(ulong value);
        /// <summary>Lane l: the counter i + l.</summary>
        static abstract TSelf Counters(int i);
        /// <summary>Low 32 bits times low 32 bits, the whole 64-bit product (vpmuludq).</summary>
        static abstract TSelf Multiply(TSelf a, TSelf b);
        static abstract TSelf Xor(TSelf a, TSelf b);
        static abstract TSelf And(TSelf a, TSelf b);
        /// <summary>The high 32 bits, into the low half.</summary>
        static abstract TSelf High(TSelf a);
        /// <summary>Philox.ToUnitFloat of each lane's word (the top 24 bits, times 2^-24, exact in float), compared with p.</summary>
        static abstract void Store(TSelf word, float p, float scale, float* to);
    }

    private readonly struct Words512(Vector512<ulong> v) : IWords<Words512>
    {
        private readonly Vector512<ulong> v = v;
        public static int Count => 8;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words512 Create(ulong value) => new(Vector512.Create(value));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words512 Counters(int i) => new(Vector512.Create((ulong)(uint)i) + Vector512.Create(0ul, 1, 2, 3, 4, 5, 6, 7));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words512 Multiply(Words512 a, Words512 b) => new(Avx512F.Multiply(a.v.AsUInt32(), b.v.AsUInt32()));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words512 Xor(Words512 a, Words512 b) => new(a.v ^ b.v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words512 And(Words512 a, Words512 b) => new(a.v & b.v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words512 High(Words512 a) => new(a.v >> 32);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Words512 word, float p, float scale, float* to)
        {
            var bits = Avx512F.ConvertToVector256UInt32(word.v);
            var u = Vector256.ConvertToSingle((bits >> 8).AsInt32()) * (1f / 16777216f);
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(u, Vector256.Create(p)), Vector256.Create(scale),
                Vector256<float>.Zero).Store(to);
        }
    }

    private readonly struct Words256(Vector256<ulong> v) : IWords<Words256>
    {
        private readonly Vector256<ulong> v = v;
        public static int Count => 4;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words256 Create(ulong value) => new(Vector256.Create(value));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words256 Counters(int i) => new(Vector256.Create((ulong)(uint)i) + Vector256.Create(0ul, 1, 2, 3));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words256 Multiply(Words256 a, Words256 b) => new(Avx2.Multiply(a.v.AsUInt32(), b.v.AsUInt32()));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words256 Xor(Words256 a, Words256 b) => new(a.v ^ b.v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words256 And(Words256 a, Words256 b) => new(a.v & b.v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Words256 High(Words256 a) => new(a.v >> 32);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Words256 word, float p, float scale, float* to)
        {
            var bits = Avx2.PermuteVar8x32(word.v.AsUInt32(), Vector256.Create(0u, 2, 4, 6, 0, 2, 4, 6)).GetLower();
            var u = Vector128.ConvertToSingle((bits >> 8).AsInt32()) * (1f / 16777216f);
            Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(u, Vector128.Create(p)), Vector128.Create(scale),
                Vector128<float>.Zero).Store(to);
        }
    }
}
