namespace IlgpuLstm.Engine.Tensors;

/// <summary>One named parameter tensor: PyTorch's name and shape, and its offset in the flat buffers.</summary>
internal sealed record ParameterSpec(string Name, int[] Shape, long Offset)
{
    public long Length => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}
