using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Export;
using IlgpuLstm.Engine.Forecasting;
using IlgpuLstm.Engine.Layers;
using Onnx;

namespace IlgpuLstm;

/// <summary>
/// Writes a character model as an ONNX file (operator set 17) that ONNX Runtime, Netron or any
/// ONNX consumer reads. Inputs: <c>tokens</c> int64 [batch, seq] (both dynamic), <c>h0</c> float32
/// [layers, batch, hidden] and, for an LSTM, <c>c0</c>; outputs: <c>logits</c> float32
/// [batch, seq, vocab], <c>hn</c> and, for an LSTM, <c>cn</c>: one call is the model's forward
/// pass in evaluation mode (no dropout) from the given state, and feeding <c>hn</c>/<c>cn</c> back
/// continues it, as sampling does. Inside: OneHot, then one ONNX LSTM, GRU or RNN node per layer
/// (time-major, between Transposes), then the output layer as MatMul and Add.
/// </summary>
public static class OnnxExport
{
    /// <summary>The operator set the graph is written for.</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version that goes with <see cref="Opset"/>.</summary>
    public const int IrVersion = 8;

    /// <summary>
    /// Exports the checkpoint at <paramref name="checkpointPath"/> (ours, or a PyTorch export we
    /// load) to <paramref name="outputPath"/>. An existing output is refused unless
    /// <paramref name="overwrite"/>; the file is written under a temporary name and renamed, so a
    /// failed export leaves nothing behind.
    /// </summary>
    /// <exception cref="EngineException">The checkpoint does not load or does not fit in one ONNX file, or the output cannot be written.</exception>
    public static void Write(string checkpointPath, string outputPath, bool overwrite = false)
    {
        if (ForecasterFile.IsForecaster(checkpointPath))
        {
            if (!overwrite && (File.Exists(outputPath) || Directory.Exists(outputPath)))
                throw new EngineException($"'{outputPath}' already exists; choose another output file, or allow overwriting it");
            var bytes = BuildForecaster(ForecasterFile.Read(checkpointPath)).ToByteArray();
            AtomicFile.Write(outputPath, $"'{outputPath}'", overwrite, stream => stream.Write(bytes));
            return;
        }
        Write(ModelCheckpoint.Load(checkpointPath), outputPath, overwrite);
    }

    /// <summary>
    /// Exports a loaded model to <paramref name="outputPath"/>, as <see cref="Write(string, string, bool)"/>
    /// exports its checkpoint.
    /// </summary>
    /// <exception cref="EngineException">The output exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public static void Write(CharModel model, string outputPath, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outputPath);
        Write(model.Loaded, outputPath, overwrite);
    }

    /// <summary>
    /// Writes a loaded model's ONNX graph (the bytes of an <c>.onnx</c> file) onto
    /// <paramref name="destination"/> at its position; the stream is left open. ONNX Runtime's
    /// <c>InferenceSession</c> takes these bytes directly.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public static void Write(CharModel model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        var bytes = Build(model.Loaded).ToByteArray();
        destination.Write(bytes);
    }

    /// <summary>Exports an already loaded checkpoint; see <see cref="Write(string, string, bool)"/>.</summary>
    internal static void Write(LoadedModel model, string outputPath, bool overwrite = false)
    {
        if (!overwrite && (File.Exists(outputPath) || Directory.Exists(outputPath)))
            throw new EngineException($"'{outputPath}' already exists; choose another output file, or allow overwriting it");
        var bytes = Build(model).ToByteArray();
        AtomicFile.Write(outputPath, $"'{outputPath}'", overwrite, stream => stream.Write(bytes));
    }

    /// <summary>The ONNX model of a loaded checkpoint.</summary>
    internal static ModelProto Build(LoadedModel model)
    {
        var c = model.Config;
        // Protobuf messages are limited to 2 GiB; a bigger model would need ONNX's external data files.
        long bytes = model.Parameters.LongLength * sizeof(float);
        if (bytes > int.MaxValue - (64L << 20))
            throw new EngineException($"the model has {model.Parameters.LongLength:N0} parameters ({bytes / (1L << 30)} GiB): " +
                "more than one ONNX file holds (2 GiB); export a smaller model");
        var graph = new OnnxGraph($"{c.Cell.ModuleName()}_char_model");
        var weights = new CheckpointWeights(model);
        string prefix = c.Cell.ModuleName();
        int hidden = c.HiddenSize, layers = c.NumLayers, vocab = c.VocabSize;
        bool lstm = c.Cell == CellKind.Lstm;

        graph.Input("tokens", TensorProto.Types.DataType.Int64, "batch", "seq");
        graph.Input("h0", TensorProto.Types.DataType.Float, layers, "batch", hidden);
        if (lstm) graph.Input("c0", TensorProto.Types.DataType.Float, layers, "batch", hidden);

        // One-hot inside the graph, time-major as ONNX's recurrent operators want it (layout=0).
        graph.Node("Transpose", ["tokens"], ["tokens_tm"], a => a.Ints("perm", 1, 0));
        graph.Int64Constant("vocab_depth", [], [vocab]);
        graph.FloatConstant("one_hot_values", [2], [0f, 1f]);
        graph.Node("OneHot", ["tokens_tm", "vocab_depth", "one_hot_values"], ["x_l0"], a => a.Int("axis", -1));
        var (finalH, finalC) = RecurrentStack(graph, name => weights.Get(name).ToArray(), prefix, c.Cell, vocab, hidden, layers);

        Head(graph, Transpose(weights.Get("fc.weight"), vocab, hidden), weights.Get("fc.bias").ToArray(), "logits", hidden, vocab,
            layers, finalH, finalC);
        return Proto(graph, $"Character-level {c.Cell.ModuleName().ToUpperInvariant()} ({hidden} x {layers}, vocabulary {vocab}): " +
            "tokens [batch, seq] and the state in; logits [batch, seq, vocab] and the final state out.", Metadata(model));
    }

    /// <summary>
    /// One ONNX LSTM, GRU or RNN node per layer over time-major <c>x_l0</c> [seq, batch, input], from
    /// the state inputs <c>h0</c> (and <c>c0</c>); the top layer's output is <c>x_l{layers}</c>. Returns
    /// the names of each layer's final h and c.
    /// </summary>
    private static (List<string> H, List<string> C) RecurrentStack(OnnxGraph graph, Func<string, float[]> weight, string prefix,
        CellKind cell, int inputSize, int hidden, int layers)
    {
        bool lstm = cell == CellKind.Lstm;
        graph.Int64Constant("squeeze_direction", [1], [1]);
        var finalH = new List<string>();
        var finalC = new List<string>();
        for (int l = 0; l < layers; l++)
        {
            int input = l == 0 ? inputSize : hidden;
            int gates = cell.Gates();
            var order = OnnxGateOrder(cell);
            graph.FloatConstant($"W_l{l}", [1, gates * hidden, input], Reorder(weight($"{prefix}.weight_ih_l{l}"), order, hidden, input));
            graph.FloatConstant($"R_l{l}", [1, gates * hidden, hidden], Reorder(weight($"{prefix}.weight_hh_l{l}"), order, hidden, hidden));
            var bias = Reorder(weight($"{prefix}.bias_ih_l{l}"), order, hidden, 1)
                .Concat(Reorder(weight($"{prefix}.bias_hh_l{l}"), order, hidden, 1)).ToArray();
            graph.FloatConstant($"B_l{l}", [1, 2 * gates * hidden], bias);
            graph.Int64Constant($"layer_index_l{l}", [1], [l]);
            graph.Node("Gather", ["h0", $"layer_index_l{l}"], [$"h0_l{l}"], a => a.Int("axis", 0));
            var inputs = new List<string> { $"x_l{l}", $"W_l{l}", $"R_l{l}", $"B_l{l}", "", $"h0_l{l}" };
            var outputs = new List<string> { $"y_l{l}", $"hn_l{l}" };
            if (lstm)
            {
                graph.Node("Gather", ["c0", $"layer_index_l{l}"], [$"c0_l{l}"], a => a.Int("axis", 0));
                inputs.Add($"c0_l{l}");
                outputs.Add($"cn_l{l}");
            }
            graph.Node(OperatorName(cell), inputs, outputs, a =>
            {
                a.Int("hidden_size", hidden);
                if (cell == CellKind.Gru) a.Int("linear_before_reset", 1); // PyTorch's GRU
            }, name: $"{prefix}_l{l}");
            // Y is [seq, directions=1, batch, hidden]; the next layer takes [seq, batch, hidden].
            graph.Node("Squeeze", [$"y_l{l}", "squeeze_direction"], [$"x_l{l + 1}"]);
            finalH.Add($"hn_l{l}");
            if (lstm) finalC.Add($"cn_l{l}");
        }
        return (finalH, finalC);
    }

    /// <summary>
    /// A forecaster as ONNX: <c>x</c> float32 [batch, seq, features] (the scaled inputs the metadata
    /// entry <c>scaling</c> describes), <c>h0</c> (and <c>c0</c>) in; <c>y</c> [batch, seq, horizon]
    /// (each row's scaled changes to the next H values: value = origin + y · target_scales[h]),
    /// <c>hn</c> (and <c>cn</c>) out.
    /// </summary>
    internal static ModelProto BuildForecaster(ForecasterFile file)
    {
        var o = file.Options;
        int hidden = o.HiddenSize, layers = o.NumLayers, features = file.Scaling.Features, horizon = o.Horizon;
        bool lstm = o.Cell == CellKind.Lstm;
        var graph = new OnnxGraph($"{o.Cell.ModuleName()}_forecaster");
        graph.Input("x", TensorProto.Types.DataType.Float, "batch", "seq", features);
        graph.Input("h0", TensorProto.Types.DataType.Float, layers, "batch", hidden);
        if (lstm) graph.Input("c0", TensorProto.Types.DataType.Float, layers, "batch", hidden);
        graph.Node("Transpose", ["x"], ["x_l0"], a => a.Ints("perm", 1, 0, 2));
        var (finalH, finalC) = RecurrentStack(graph, name => file.Tensors[name], "rnn", o.Cell, features, hidden, layers);
        Head(graph, Transpose(file.Tensors["fc.weight"], horizon, hidden), file.Tensors["fc.bias"], "y", hidden, horizon,
            layers, finalH, finalC);
        return Proto(graph, $"Forecaster of {file.Target} ({o.Cell.ModuleName().ToUpperInvariant()} {hidden} x {layers}, horizon {horizon}): " +
            "scaled inputs [batch, seq, features] and the state in; scaled changes [batch, seq, horizon] and the final state out.",
            file.Metadata.Select(m => (m.Key == "format" ? "checkpoint_format" : m.Key, m.Value)));
    }

    /// <summary>
    /// The linear layer over the top layer's time-major output, transposed back to batch-first as
    /// <paramref name="output"/> [batch, seq, width], and the final states as outputs hn (and cn).
    /// </summary>
    private static void Head(OnnxGraph graph, float[] weightTransposed, float[] bias, string output, int hidden, int width, int layers,
        List<string> finalH, List<string> finalC)
    {
        graph.FloatConstant("fc_weight_t", [hidden, width], weightTransposed);
        graph.FloatConstant("fc_bias", [width], bias);
        graph.Node("MatMul", [$"x_l{layers}", "fc_weight_t"], ["fc_matmul"]);
        graph.Node("Add", ["fc_matmul", "fc_bias"], [output + "_tm"]);
        graph.Node("Transpose", [output + "_tm"], [output], a => a.Ints("perm", 1, 0, 2));
        graph.Node("Concat", finalH, ["hn"], a => a.Int("axis", 0));
        if (finalC.Count > 0) graph.Node("Concat", finalC, ["cn"], a => a.Int("axis", 0));
        graph.Output(output, TensorProto.Types.DataType.Float, "batch", "seq", width);
        graph.Output("hn", TensorProto.Types.DataType.Float, layers, "batch", hidden);
        if (finalC.Count > 0) graph.Output("cn", TensorProto.Types.DataType.Float, layers, "batch", hidden);
    }

    private static ModelProto Proto(OnnxGraph graph, string doc, IEnumerable<(string Key, string Value)> metadata)
    {
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "ilgpu-lstm",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = doc,
            Graph = graph.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata)
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }

    /// <summary>What a consumer needs to use the file (the vocabulary above all) and the checkpoint's training summary.</summary>
    private static IEnumerable<(string Key, string Value)> Metadata(LoadedModel model)
    {
        var c = model.Config;
        yield return ("vocab", JsonSerializer.Serialize(model.Vocabulary.Symbols));
        yield return ("cell", c.Cell.ModuleName());
        yield return ("hidden_size", c.HiddenSize.ToString(CultureInfo.InvariantCulture));
        yield return ("num_layers", c.NumLayers.ToString(CultureInfo.InvariantCulture));
        yield return ("vocab_size", c.VocabSize.ToString(CultureInfo.InvariantCulture));
        yield return ("dropout", c.Dropout.ToString("R", CultureInfo.InvariantCulture));
        foreach (var key in (string[])["format", "corpus", "step", "epoch", "train_loss", "val_loss", "created", "options"])
            if (model.Get(key) is { } value)
                yield return (key == "format" ? "checkpoint_format" : key, value);
    }

    private static string OperatorName(CellKind cell) => cell switch
    {
        CellKind.Lstm => "LSTM",
        CellKind.Gru => "GRU",
        _ => "RNN",
    };

    /// <summary>
    /// PyTorch's gate blocks in ONNX's order: LSTM i,f,g,o → i,o,f,c (c is PyTorch's g);
    /// GRU r,z,n → z,r,h; the RNN has one block. Entry j is the PyTorch block ONNX puts j-th.
    /// </summary>
    internal static int[] OnnxGateOrder(CellKind cell) => cell switch
    {
        CellKind.Lstm => [0, 3, 1, 2],
        CellKind.Gru => [1, 0, 2],
        _ => [0],
    };

    /// <summary>Rows of a [gates·hidden, columns] matrix (or a bias, columns 1) regrouped by gate block.</summary>
    private static float[] Reorder(ReadOnlySpan<float> source, int[] order, int hidden, int columns)
    {
        var result = new float[source.Length];
        int block = hidden * columns;
        for (int j = 0; j < order.Length; j++)
            source.Slice(order[j] * block, block).CopyTo(result.AsSpan(j * block, block));
        return result;
    }

    private static float[] Transpose(ReadOnlySpan<float> source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (int r = 0; r < rows; r++)
            for (int col = 0; col < columns; col++)
                result[col * rows + r] = source[r * columns + col];
        return result;
    }

    /// <summary>The checkpoint's tensors by PyTorch name, as spans of its parameter array.</summary>
    private sealed class CheckpointWeights(LoadedModel model)
    {
        private readonly Engine.Tensors.ParameterLayout layout = Engine.Models.CharRnn.CreateLayout(model.Config);

        public ReadOnlySpan<float> Get(string name) =>
            layout.TryGet(name, out var spec)
                ? model.Parameters.AsSpan((int)spec.Offset, (int)spec.Length)
                : throw new InvalidOperationException($"no tensor '{name}' in the layout");
    }
}
