using ILGPU;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Engine.Layers;

/// <summary>
/// Activations and gradients of one recurrent layer for one (B, T), all time-major:
/// gx (T, B, G) pre-activations, then the activated gates kept for backward, then (backward
/// writes them in place, step by step) the gate gradients dGx; gh the recurrent pre-activations,
/// (T, B, G) for GRU, whose backward reads them, one step's (B, G) for LSTM and RNN; hs/cs
/// (T+1, B, H) with the incoming state in slot 0; dHs (T, B, H) the gradient reaching each
/// output; dGh (T, B, G), GRU's own, the same buffer as dGx otherwise; W_hh as the forward and
/// the backward steps read it (each prepared once per pass); dropout mask and output when this layer's output is dropped before the next.
/// Sharing gx with dGx and keeping one step of gh saves 3 x T·B·G floats per LSTM layer
/// (630 MB at the lesson's shape).
/// </summary>
internal sealed class RecurrentLayerBuffers : IDisposable
{
    private readonly BufferGroup owned;

    public RecurrentLayerBuffers(ComputeDevice device, CellKind cell, int batch, int steps, int hidden, bool dropped)
    {
        owned = new BufferGroup(device);
        long rows = (long)batch * steps, g = (long)cell.Gates() * hidden;
        Gx = owned.Allocate<float>(rows * g, "gate pre-activations");
        Gh = owned.Allocate<float>((cell == CellKind.Gru ? rows : batch) * g, "recurrent pre-activations");
        WeightHhT = owned.Allocate<float>(device.Ops.RecurrentWeightsLength(cell, hidden), "prepared recurrent weights");
        long backward = device.Ops.BackwardRecurrentWeightsLength((int)g, hidden);
        WeightHhBackward = backward > 0 ? owned.Allocate<float>(backward, "recurrent weights prepared for backward") : default;
        Hs = owned.Allocate<float>((rows + batch) * hidden, "hidden states");
        Cs = cell == CellKind.Lstm ? owned.Allocate<float>((rows + batch) * hidden, "cell states") : default;
        DHs = owned.Allocate<float>(rows * hidden, "output gradients");
        DGx = Gx;
        DGh = cell == CellKind.Gru ? owned.Allocate<float>(rows * g, "recurrent gate gradients") : DGx;
        Dc = cell == CellKind.Lstm ? owned.Allocate<float>((long)batch * hidden, "cell gradient") : default;
        Scratch = owned.Allocate<float>((long)batch * hidden, "discarded initial-state gradient");
        if (dropped)
        {
            Mask = owned.Allocate<float>(rows * hidden, "dropout mask");
            Dropped = owned.Allocate<float>(rows * hidden, "dropout output");
        }
    }

    public ArrayView<float> Gx { get; }
    public ArrayView<float> Gh { get; }
    public ArrayView<float> WeightHhT { get; }
    public ArrayView<float> WeightHhBackward { get; }
    public ArrayView<float> Hs { get; }
    public ArrayView<float> Cs { get; }
    public ArrayView<float> DHs { get; }
    public ArrayView<float> DGx { get; }
    public ArrayView<float> DGh { get; }
    public ArrayView<float> Dc { get; }
    public ArrayView<float> Scratch { get; }
    public ArrayView<float> Mask { get; }
    public ArrayView<float> Dropped { get; }

    public void Dispose() => owned.Dispose();
}
