using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// A SIMD register width for code written once for all: <see cref="Vec512"/> (AVX-512),
/// <see cref="Vec256"/> (AVX2) and <see cref="Vec128"/> (NEON on ARM64, SSE on x86 without AVX2).
/// Implemented by structs, so the JIT compiles a separate, fully inlined copy of generic code for
/// each. Every lane computes the same operations in the same order at every width, so the same
/// inputs give the same bits whichever width runs (on machines with FMA: see <see cref="Vec128.Fma"/>).
/// </summary>
internal interface ISimd<TSelf> where TSelf : struct, ISimd<TSelf>
{
    static abstract int Count { get; }
    /// <summary>
    /// Whether the ISA has 32 vector registers (AVX-512, NEON): room for the GEMM micro-kernel's 8 x 2
    /// accumulators, the two column vectors and a broadcast at once. With 16 (AVX2, SSE) the kernel
    /// runs the 8 rows as two halves of 4 (<see cref="HostGemm.Micro{V}"/>).
    /// </summary>
    static abstract bool ManyRegisters { get; }
    static abstract unsafe TSelf Load(float* p);
    static abstract unsafe void Store(TSelf v, float* p);
    static abstract TSelf Broadcast(float value);
    static abstract TSelf Zero { get; }
    /// <summary>a * b + c, fused.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Multiply(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    static abstract TSelf Divide(TSelf a, TSelf b);
    /// <summary>The instructions' min and max (minps, maxps): where either operand is NaN, the result is <paramref name="b"/>.</summary>
    static abstract TSelf MinNative(TSelf a, TSelf b);
    static abstract TSelf MaxNative(TSelf a, TSelf b);
    /// <summary>To the nearest integer, ties to even.</summary>
    static abstract TSelf Round(TSelf a);
    /// <summary>2^n for n integral in [-126, 127].</summary>
    static abstract TSelf Pow2(TSelf n);
    /// <summary>Per lane: a &lt; b ? ifLess : otherwise.</summary>
    static abstract TSelf SelectLess(TSelf a, TSelf b, TSelf ifLess, TSelf otherwise);
}

internal readonly struct Vec512(Vector512<float> v) : ISimd<Vec512>
{
    private readonly Vector512<float> v = v;
    public static int Count => Vector512<float>.Count;
    public static bool ManyRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vec512 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vec512 x, float* p) => x.v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Broadcast(float value) => new(Vector512.Create(value));
    public static Vec512 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Fma(Vec512 a, Vec512 b, Vec512 c) => new(Vector512.FusedMultiplyAdd(a.v, b.v, c.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Add(Vec512 a, Vec512 b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Multiply(Vec512 a, Vec512 b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Subtract(Vec512 a, Vec512 b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Divide(Vec512 a, Vec512 b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 MinNative(Vec512 a, Vec512 b) => new(Vector512.MinNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 MaxNative(Vec512 a, Vec512 b) => new(Vector512.MaxNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Round(Vec512 a) => new(Vector512.Round(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Pow2(Vec512 n) =>
        new(Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n.v) + Vector512.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 SelectLess(Vec512 a, Vec512 b, Vec512 ifLess, Vec512 otherwise) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(a.v, b.v), ifLess.v, otherwise.v));
}

internal readonly struct Vec256(Vector256<float> v) : ISimd<Vec256>
{
    private readonly Vector256<float> v = v;
    public static int Count => Vector256<float>.Count;
    public static bool ManyRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vec256 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vec256 x, float* p) => x.v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Broadcast(float value) => new(Vector256.Create(value));
    public static Vec256 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Fma(Vec256 a, Vec256 b, Vec256 c) => new(Vector256.FusedMultiplyAdd(a.v, b.v, c.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Add(Vec256 a, Vec256 b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Multiply(Vec256 a, Vec256 b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Subtract(Vec256 a, Vec256 b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Divide(Vec256 a, Vec256 b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 MinNative(Vec256 a, Vec256 b) => new(Vector256.MinNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 MaxNative(Vec256 a, Vec256 b) => new(Vector256.MaxNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Round(Vec256 a) => new(Vector256.Round(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Pow2(Vec256 n) =>
        new(Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n.v) + Vector256.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 SelectLess(Vec256 a, Vec256 b, Vec256 ifLess, Vec256 otherwise) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(a.v, b.v), ifLess.v, otherwise.v));
}

internal readonly struct Vec128(Vector128<float> v) : ISimd<Vec128>
{
    private readonly Vector128<float> v = v;
    public static int Count => Vector128<float>.Count;
    public static bool ManyRegisters => AdvSimd.Arm64.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vec128 Load(float* p) => new(Vector128.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vec128 x, float* p) => x.v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Broadcast(float value) => new(Vector128.Create(value));
    public static Vec128 Zero => default;
    /// <summary>
    /// Fused where the CPU has FMA (every ARM64 CPU, x86 from AVX2 on); x86 CPUs without it (before
    /// Haswell, Atom-class Celerons and Pentiums) multiply and add instead: the fused form has no
    /// instruction there and .NET emulates it one lane at a time, hundreds of times slower. Their
    /// results are the same for any thread count but differ from FMA machines by float rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Fma(Vec128 a, Vec128 b, Vec128 c) =>
        HostSimd.Fused ? new(Vector128.FusedMultiplyAdd(a.v, b.v, c.v)) : new(a.v * b.v + c.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Add(Vec128 a, Vec128 b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Multiply(Vec128 a, Vec128 b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Subtract(Vec128 a, Vec128 b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Divide(Vec128 a, Vec128 b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 MinNative(Vec128 a, Vec128 b) => new(Vector128.MinNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 MaxNative(Vec128 a, Vec128 b) => new(Vector128.MaxNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Round(Vec128 a) => new(Vector128.Round(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Pow2(Vec128 n) =>
        new(Vector128.ShiftLeft(Vector128.ConvertToInt32Native(n.v) + Vector128.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 SelectLess(Vec128 a, Vec128 b, Vec128 ifLess, Vec128 otherwise) =>
        new(Vector128.ConditionalSelect(Vector128.LessThan(a.v, b.v), ifLess.v, otherwise.v));
}

/// <summary>
/// The host path's SIMD width, chosen from what the CPU accelerates (JIT-time constants, so each
/// dispatch compiles to one call): AVX-512, else AVX2, else 128-bit (NEON, SSE). .NET can hide
/// instruction sets (<c>DOTNET_EnableAVX512F=0</c>: AVX2; <c>DOTNET_PreferredVectorBitWidth=128</c>:
/// 128-bit with FMA, as on ARM64; <c>DOTNET_EnableAVX2=0</c>: 128-bit without FMA), which is how the
/// tests run every width on one machine.
/// </summary>
internal static class HostSimd
{
    public static bool Is512 => Vector512.IsHardwareAccelerated;
    public static bool Is256 => !Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated;

    /// <summary>Whether the chosen width's ISA has 32 vector registers (<see cref="ISimd{TSelf}.ManyRegisters"/>).</summary>
    public static bool ManyRegisters => Is512 || AdvSimd.Arm64.IsSupported;

    /// <summary>Register width in bits.</summary>
    public static int Bits => Is512 ? 512 : Is256 ? 256 : 128;

    /// <summary>Whether vector multiply-adds are fused in hardware (see <see cref="Vec128.Fma"/>).</summary>
    public static bool Fused => Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>Whether the chosen width runs on vector instructions rather than .NET's software fallback.</summary>
    public static bool Accelerated => Is512 || Is256 || Vector128.IsHardwareAccelerated;

    /// <summary>The instruction set, as <c>devices</c> and the bench headers name it.</summary>
    public static string Name =>
        Is512 ? "AVX-512" :
        Is256 ? "AVX2" :
        AdvSimd.IsSupported ? "NEON, 128-bit" :
        Fused ? "128-bit SSE with FMA" :
        Vector128.IsHardwareAccelerated ? "128-bit SSE, no FMA" : "no SIMD";
}
