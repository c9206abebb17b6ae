using System.Reflection;

namespace IlgpuLstm.Kernels;

/// <summary>One kernel entry point: its name, method and whether it uses explicit groups.</summary>
internal sealed record KernelEntry(string Name, MethodInfo Method, bool ExplicitlyGrouped);

/// <summary>
/// Every kernel entry point, so tests can compile each one for PTX and OpenCL without a device
/// and a kernel added to <see cref="KernelSet"/> but not here shows up as a missing compile check.
/// </summary>
internal static class KernelCatalog
{
    public static IReadOnlyList<KernelEntry> All { get; } =
    [
        Implicit(typeof(Gemm), nameof(Gemm.RowBlock)),
        new("Gemm.Tiled", Method(typeof(Gemm), nameof(Gemm.Tiled)), true),
        new("Gemm.TiledBlocked", Method(typeof(Gemm), nameof(Gemm.TiledBlocked)), true),
        new("Gemm.TiledBlockedSplit", Method(typeof(Gemm), nameof(Gemm.TiledBlockedSplit)), true),
        Implicit(typeof(Gemm), nameof(Gemm.SumSplits)),
        new("RecurrentStep.Forward", Method(typeof(RecurrentStep), nameof(RecurrentStep.Forward)), true),
        Implicit(typeof(OneHotProjection), nameof(OneHotProjection.Forward)),
        Implicit(typeof(OneHotProjection), nameof(OneHotProjection.Backward)),
        Implicit(typeof(LstmCell), nameof(LstmCell.Forward)),
        Implicit(typeof(LstmCell), nameof(LstmCell.Backward)),
        Implicit(typeof(GruCell), nameof(GruCell.Forward)),
        Implicit(typeof(GruCell), nameof(GruCell.Backward)),
        Implicit(typeof(RnnCell), nameof(RnnCell.Forward)),
        Implicit(typeof(RnnCell), nameof(RnnCell.Backward)),
        Implicit(typeof(SoftmaxCrossEntropy), nameof(SoftmaxCrossEntropy.ForwardBackward)),
        Implicit(typeof(MeanSquaredError), nameof(MeanSquaredError.ForwardBackward)),
        Implicit(typeof(Reduction), nameof(Reduction.Partials)),
        Implicit(typeof(Reduction), nameof(Reduction.Final)),
        Implicit(typeof(Reduction), nameof(Reduction.ColumnPartials)),
        Implicit(typeof(Reduction), nameof(Reduction.ColumnFinal)),
        Implicit(typeof(GradNorm), nameof(GradNorm.ClipCoefficient)),
        Implicit(typeof(GradNorm), nameof(GradNorm.Clamp)),
        Implicit(typeof(Optimizers), nameof(Optimizers.Adam)),
        Implicit(typeof(Optimizers), nameof(Optimizers.Sgd)),
        Implicit(typeof(Optimizers), nameof(Optimizers.RmsProp)),
        Implicit(typeof(Dropout), nameof(Dropout.Forward)),
        Implicit(typeof(Dropout), nameof(Dropout.Backward)),
        Implicit(typeof(Elementwise), nameof(Elementwise.Fill)),
        Implicit(typeof(Elementwise), nameof(Elementwise.Transpose)),
    ];

    private static KernelEntry Implicit(Type type, string name) => new($"{type.Name}.{name}", Method(type, name), false);

    private static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new InvalidOperationException($"kernel {type.Name}.{name} not found");
}
