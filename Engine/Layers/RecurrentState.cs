using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Ops;

namespace IlgpuLstm.Engine.Layers;

/// <summary>
/// The hidden state carried between calls, shaped (layers, batch, hidden) whatever the input
/// layout, as in PyTorch; LSTM also carries c. The caller owns it: training and validation keep
/// separate ones, so validating never disturbs the state training carries.
/// </summary>
internal sealed class RecurrentState : IDisposable
{
    private readonly IOps ops;
    private readonly DeviceBuffer<float> h;
    private readonly DeviceBuffer<float>? c;

    public RecurrentState(ComputeDevice device, CellKind cell, int layers, int batch, int hidden)
    {
        ops = device.Ops;
        Layers = layers; Batch = batch; Hidden = hidden; Cell = cell;
        h = device.Allocate<float>((long)layers * batch * hidden, "hidden state");
        c = cell == CellKind.Lstm ? device.Allocate<float>((long)layers * batch * hidden, "cell state") : null;
        Reset();
    }

    public CellKind Cell { get; }
    public int Layers { get; }
    public int Batch { get; }
    public int Hidden { get; }

    /// <summary>Shape of <see cref="H"/> (and <see cref="C"/>): (layers, batch, hidden).</summary>
    public int[] Shape => [Layers, Batch, Hidden];

    public ArrayView<float> H => h.View;

    /// <summary>LSTM only.</summary>
    public ArrayView<float> C => c?.View ?? throw new InvalidOperationException("only an LSTM has a cell state");

    public bool HasCell => c != null;

    public ArrayView<float> LayerH(int layer) => h.View.SubView((long)layer * Batch * Hidden, (long)Batch * Hidden);

    public ArrayView<float> LayerC(int layer) => C.SubView((long)layer * Batch * Hidden, (long)Batch * Hidden);

    /// <summary>Zeroes h (and c): the lesson does this at the start of every epoch and of validation.</summary>
    public void Reset()
    {
        ops.Fill(h.View, (int)h.Length, 0f);
        if (c != null) ops.Fill(c.View, (int)c.Length, 0f);
    }

    public float[] DownloadH() => h.GetAsArray1D();

    public float[]? DownloadC() => c?.GetAsArray1D();

    public void Upload(float[] hValues, float[]? cValues)
    {
        h.CopyFromCPU(hValues);
        if (c != null && cValues != null) c.CopyFromCPU(cValues);
    }

    public void Dispose()
    {
        c?.Dispose();
        h.Dispose();
    }
}
