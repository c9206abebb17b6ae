using ILGPU;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Engine.Layers;

/// <summary>
/// Activations and gradients of one recurrent layer for one (B, T), all time-major:
/// gx/gh (T, B, G) pre-activations, then activations kept for backward; hs/cs (T+1, B, H) with the
/// incoming state in slot 0; dHs (T, B, H) the gradient reaching each output; dGx/dGh (T, B, G)
/// gate gradients (one buffer unless GRU, whose two differ); dropout mask and output when this
/// layer's output is dropped before the next layer.
/// </summary>
internal sealed class RecurrentLayerBuffers : IDisposable
{
    private readonly BufferGroup owned;

    public RecurrentLayerBuffers(ComputeDevice device, CellKind cell, int batch, int steps, int hidden, bool dropped)
    {
        owned = new BufferGroup(device);
        long rows = (long)batch * steps, g = (long)cell.Gates() * hidden;
        Gx = owned.Allocate<float>(rows * g, "gate pre-activations");
        Gh = owned.Allocate<float>(rows * g, "recurrent pre-activations");
        Hs = owned.Allocate<float>((rows + batch) * hidden, "hidden states");
        Cs = cell == CellKind.Lstm ? owned.Allocate<float>((rows + batch) * hidden, "cell states") : default;
        DHs = owned.Allocate<float>(rows * hidden, "output gradients");
        DGx = owned.Allocate<float>(rows * g, "gate gradients");
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
