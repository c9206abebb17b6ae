using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Engine.Tensors;

/// <summary>
/// Owns the model's four flat device buffers: parameters, gradients and two optimizer moment
/// buffers (Adam's m and v; SGD's momentum; RMSprop's square average), so that zeroing, the
/// gradient norm, clipping and the optimizer step are each one kernel over everything.
/// </summary>
internal sealed class ParameterStore : IDisposable
{
    private readonly DeviceBuffer<float> parameters;
    private readonly DeviceBuffer<float> gradients;
    private readonly DeviceBuffer<float> moment1;
    private readonly DeviceBuffer<float> moment2;

    public ParameterStore(ComputeDevice device, ParameterLayout layout)
    {
        Layout = layout;
        if (layout.Count > int.MaxValue)
            throw new EngineException($"model has {layout.Count} parameters; at most {int.MaxValue} are supported");
        parameters = device.Allocate<float>(layout.Count, "parameters");
        gradients = device.Allocate<float>(layout.Count, "gradients");
        moment1 = device.Allocate<float>(layout.Count, "optimizer state");
        moment2 = device.Allocate<float>(layout.Count, "optimizer state");
        var ops = device.Ops;
        ops.Fill(gradients.View, Count, 0f);
        ops.Fill(moment1.View, Count, 0f);
        ops.Fill(moment2.View, Count, 0f);
    }

    public ParameterLayout Layout { get; }

    public int Count => (int)Layout.Count;

    public ArrayView<float> Parameters => parameters.View;
    public ArrayView<float> Gradients => gradients.View;
    public ArrayView<float> Moment1 => moment1.View;
    public ArrayView<float> Moment2 => moment2.View;

    public ArrayView<float> Parameter(string name) => Slice(parameters.View, Layout[name]);

    public ArrayView<float> Gradient(string name) => Slice(gradients.View, Layout[name]);

    public static ArrayView<float> Slice(ArrayView<float> flat, ParameterSpec spec) => flat.SubView(spec.Offset, spec.Length);

    /// <summary>Copies all parameters to the host (checkpoints; never inside a training step).</summary>
    public float[] Download() => parameters.GetAsArray1D();

    public float[] DownloadGradients() => gradients.GetAsArray1D();

    public void Upload(float[] values)
    {
        if (values.Length != Count)
            throw new ArgumentException($"expected {Count} parameter values, got {values.Length}", nameof(values));
        parameters.CopyFromCPU(values);
        MarkChanged();
    }

    /// <summary>
    /// Counts writes to the parameters (uploads and optimizer steps), so that copies derived
    /// from them (a layer's transposed W_hh) are remade only when they change: once per
    /// training step, once per sampling run. Whoever writes the parameter buffer calls
    /// <see cref="MarkChanged"/>.
    /// </summary>
    public long Version { get; private set; }

    public void MarkChanged() => Version++;

    public float[] DownloadMoment(int which) => (which == 1 ? moment1 : moment2).GetAsArray1D();

    public void UploadMoment(int which, float[] values) => (which == 1 ? moment1 : moment2).CopyFromCPU(values);

    public void Dispose()
    {
        moment2.Dispose();
        moment1.Dispose();
        gradients.Dispose();
        parameters.Dispose();
    }
}
