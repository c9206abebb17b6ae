namespace IlgpuLstm.Engine.Checkpoints;

/// <summary>One tensor entry of a safetensors header: dtype, shape and byte range in the data section.</summary>
internal sealed record TensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}
