using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// A SIMD register width for code written once for both: <see cref="Wide"/> (Vector512, where the
/// CPU has AVX-512) and <see cref="Narrow"/> (Vector256 otherwise). Implemented by structs, so
/// the JIT compiles a separate, fully inlined copy of generic code for each.
/// </summary>
internal interface ISimd<TSelf> where TSelf : struct, ISimd<TSelf>
{
    static abstract int Count { get; }
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

internal readonly struct Wide(Vector512<float> v) : ISimd<Wide>
{
    private readonly Vector512<float> v = v;
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Wide Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Wide x, float* p) => x.v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Broadcast(float value) => new(Vector512.Create(value));
    public static Wide Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Fma(Wide a, Wide b, Wide c) => new(Vector512.FusedMultiplyAdd(a.v, b.v, c.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Add(Wide a, Wide b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Multiply(Wide a, Wide b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Subtract(Wide a, Wide b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Divide(Wide a, Wide b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide MinNative(Wide a, Wide b) => new(Vector512.MinNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide MaxNative(Wide a, Wide b) => new(Vector512.MaxNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Round(Wide a) => new(Vector512.Round(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide Pow2(Wide n) =>
        new(Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n.v) + Vector512.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide SelectLess(Wide a, Wide b, Wide ifLess, Wide otherwise) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(a.v, b.v), ifLess.v, otherwise.v));
}

internal readonly struct Narrow(Vector256<float> v) : ISimd<Narrow>
{
    private readonly Vector256<float> v = v;
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Narrow Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Narrow x, float* p) => x.v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Broadcast(float value) => new(Vector256.Create(value));
    public static Narrow Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Fma(Narrow a, Narrow b, Narrow c) => new(Vector256.FusedMultiplyAdd(a.v, b.v, c.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Add(Narrow a, Narrow b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Multiply(Narrow a, Narrow b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Subtract(Narrow a, Narrow b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Divide(Narrow a, Narrow b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow MinNative(Narrow a, Narrow b) => new(Vector256.MinNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow MaxNative(Narrow a, Narrow b) => new(Vector256.MaxNative(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Round(Narrow a) => new(Vector256.Round(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow Pow2(Narrow n) =>
        new(Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n.v) + Vector256.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Narrow SelectLess(Narrow a, Narrow b, Narrow ifLess, Narrow otherwise) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(a.v, b.v), ifLess.v, otherwise.v));
}
