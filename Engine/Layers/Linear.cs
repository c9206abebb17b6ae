using ILGPU;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Tensors;

namespace IlgpuLstm.Engine.Layers;

/// <summary>
/// PyTorch's <c>nn.Linear</c> over rows: <c>y = x W^T + b</c> with <c>{prefix}.weight</c> (out, in)
/// and <c>{prefix}.bias</c> (out). Backward adds into the parameter gradients and overwrites dx.
/// </summary>
internal sealed class Linear(IOps ops, ParameterStore store, string prefix, int inFeatures, int outFeatures)
{
    private readonly ArrayView<float> weight = store.Parameter(prefix + ".weight");
    private readonly ArrayView<float> bias = store.Parameter(prefix + ".bias");
    private readonly ArrayView<float> dWeight = store.Gradient(prefix + ".weight");
    private readonly ArrayView<float> dBias = store.Gradient(prefix + ".bias");

    public int InFeatures => inFeatures;
    public int OutFeatures => outFeatures;

    public static void AddParameters(ParameterLayout layout, string prefix, int inFeatures, int outFeatures)
    {
        layout.Add(prefix + ".weight", outFeatures, inFeatures);
        layout.Add(prefix + ".bias", outFeatures);
    }

    public void Forward(ArrayView<float> x, ArrayView<float> y, int rows) =>
        ops.Gemm(false, true, rows, outFeatures, inFeatures, 1f, x, inFeatures, weight, inFeatures, 0f, y, outFeatures, bias);

    public void Backward(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx, int rows)
    {
        ops.Gemm(true, false, outFeatures, inFeatures, rows, 1f, dy, outFeatures, x, inFeatures, 1f, dWeight, inFeatures);
        ops.ColumnSum(dy, dBias, rows, outFeatures);
        ops.Gemm(false, false, rows, inFeatures, outFeatures, 1f, dy, outFeatures, weight, inFeatures, 0f, dx, inFeatures);
    }
}
