using Google.Protobuf;
using Onnx;

namespace IlgpuLstm.Engine.Export;

/// <summary>
/// A small builder over ONNX's <see cref="GraphProto"/>: inputs and outputs with fixed or named
/// (dynamic) dimensions, constant tensors as initializers, and nodes with their attributes.
/// </summary>
internal sealed class OnnxGraph(string name)
{
    public GraphProto Proto { get; } = new() { Name = name };

    /// <summary>A graph input; each dimension is an int (fixed) or a string (a named, dynamic one).</summary>
    public void Input(string name, TensorProto.Types.DataType type, params object[] dims) =>
        Proto.Input.Add(Value(name, type, dims));

    public void Output(string name, TensorProto.Types.DataType type, params object[] dims) =>
        Proto.Output.Add(Value(name, type, dims));

    public void FloatConstant(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(dims);
        // Little-endian raw bytes, as ONNX stores raw_data on every platform.
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        Proto.Initializer.Add(tensor);
    }

    public void Int64Constant(string name, long[] dims, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(dims);
        tensor.Int64Data.Add(values);
        Proto.Initializer.Add(tensor);
    }

    public void Node(string op, IEnumerable<string> inputs, IEnumerable<string> outputs,
        Action<Attributes>? attributes = null, string? name = null)
    {
        var node = new NodeProto { OpType = op, Name = name ?? $"{op}_{Proto.Node.Count}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        attributes?.Invoke(new Attributes(node));
        Proto.Node.Add(node);
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string param
                ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    /// <summary>Adds attributes to one node.</summary>
    public readonly struct Attributes(NodeProto node)
    {
        public void Int(string name, long value) =>
            node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

        public void Ints(string name, params long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.Add(values);
            node.Attribute.Add(attribute);
        }
    }
}
