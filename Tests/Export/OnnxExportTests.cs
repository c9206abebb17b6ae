using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Export;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Sampling;
using IlgpuLstm.Engine.Tensors;
using IlgpuLstm.Tests.Fixtures;
using Microsoft.ML.OnnxRuntime;

namespace IlgpuLstm.Tests.Export;

/// <summary>
/// Exported models run in ONNX Runtime and give our forward pass's logits and final states (to
/// 1e-5) for every cell, 1 and 2 layers, batch 1 and 3, odd sequence lengths, from a random state;
/// stepped one character at a time with the state fed back they reproduce our sampler's text.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class OnnxExportTests(CpuDeviceFixture fixture) : IDisposable
{
    private const float Tolerance = 1e-5f;
    private readonly ComputeDevice device = fixture.Get(TestAccelerators.Host);
    private readonly TempDirectory dir = new();

    public static TheoryData<CellKind, int, int, int> Shapes()
    {
        var data = new TheoryData<CellKind, int, int, int>();
        foreach (var cell in Enum.GetValues<CellKind>())
            foreach (int layers in (int[])[1, 2])
                foreach (var (batch, seq) in ((int, int)[])[(1, 7), (3, 5), (3, 1)])
                    data.Add(cell, layers, batch, seq);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OnnxRuntimeGivesOurLogitsAndFinalStates(CellKind cell, int layers, int batch, int seq)
    {
        var model = RandomModel(cell, layers, hidden: 5, vocab: 11, seed: (ulong)(layers * 10 + batch));
        string path = dir.File($"{cell}-{layers}-{batch}-{seq}.onnx");
        OnnxExport.Write(model, path);

        var random = new Random(batch * 100 + seq);
        var tokens = Enumerable.Range(0, batch * seq).Select(_ => random.Next(model.Config.VocabSize)).ToArray();
        int stateLength = layers * batch * 5;
        var h0 = Enumerable.Range(0, stateLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var c0 = cell == CellKind.Lstm ? Enumerable.Range(0, stateLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray() : null;

        var ours = Forward(model, tokens, batch, seq, h0, c0);
        using var onnx = new OnnxModel(path);
        var theirs = onnx.Run(tokens, batch, seq, h0, c0);

        AssertLogitsClose(ours.Logits, theirs.Logits, batch, seq, model.Config.VocabSize);
        AssertAllClose(ours.H, theirs.H, "hn");
        if (c0 != null) AssertAllClose(ours.C!, theirs.C!, "cn");
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void SteppingTheOnnxModelGivesOurSamplersLogitsAndText(CellKind cell)
    {
        var vocabulary = Vocabulary.FromText("abcdefgh ij.\n");
        var model = RandomModel(cell, 2, hidden: 6, vocab: vocabulary.Count, seed: 4) with { Vocabulary = vocabulary };
        string path = dir.File($"{cell}-sampler.onnx");
        OnnxExport.Write(model, path);
        var options = new SamplingOptions { Length = 40, TopK = 4, Temperature = 0.9, Seed = 7 };
        const string prime = "ab c";

        using var charRnn = Load(model);
        var sampler = new Sampler(charRnn, vocabulary);
        string expected = sampler.Sample(prime, options, _ => { });

        // The sampler's loop, stepped through ONNX Runtime: prime from a zero state, then each draw fed back.
        using var onnx = new OnnxModel(path);
        int stateLength = 2 * 6;
        var h = new float[stateLength];
        var c = cell == CellKind.Lstm ? new float[stateLength] : null;
        using var ourState = charRnn.CreateState(1);
        var ourLogits = new float[vocabulary.Count];
        float[] logits = [];
        void Step(int id)
        {
            var r = onnx.Run([id], 1, 1, h, c);
            (logits, h, c) = (r.Logits, r.H, r.C);
            charRnn.SetBatch([id], null);
            charRnn.Forward(ourState, training: false, 0, 0);
            device.Ops.Download(charRnn.Logits, ourLogits);
            AssertAllClose(ourLogits, logits, $"logits after '{vocabulary.Decode(id)}'");
        }
        charRnn.Prepare(1, 1);
        foreach (int id in vocabulary.Encode(prime, "prime")) Step(id);
        var drawer = new Sampler(charRnn, vocabulary);
        var text = new System.Text.StringBuilder(prime);
        for (int i = 0; i < options.Length; i++)
        {
            int next = drawer.Draw(logits, options, (ulong)i);
            text.Append(vocabulary.Decode(next));
            if (i + 1 < options.Length) Step(next);
        }
        Assert.Equal(expected, text.ToString());
    }

    [Fact]
    public void MetadataCarriesTheVocabularyArchitectureAndTrainingSummary()
    {
        var vocabulary = Vocabulary.FromText("xy\"z\n");
        var model = RandomModel(CellKind.Gru, 2, hidden: 3, vocab: vocabulary.Count, seed: 1) with
        {
            Vocabulary = vocabulary,
            Metadata = new Dictionary<string, string> { ["corpus"] = "tiny", ["step"] = "12", ["val_loss"] = "1.5" },
        };
        string path = dir.File("meta.onnx");
        OnnxExport.Write(model, path);
        using var session = new InferenceSession(path);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(vocabulary.Symbols), meta["vocab"]);
        Assert.Equal(["\n", "\"", "x", "y", "z"], System.Text.Json.JsonSerializer.Deserialize<string[]>(meta["vocab"])!);
        Assert.Equal("gru", meta["cell"]);
        Assert.Equal("3", meta["hidden_size"]);
        Assert.Equal("2", meta["num_layers"]);
        Assert.Equal("tiny", meta["corpus"]);
        Assert.Equal("12", meta["step"]);
        Assert.Equal("1.5", meta["val_loss"]);
        Assert.Equal(["tokens", "h0"], session.InputNames);
        Assert.Equal(["logits", "hn"], session.OutputNames);
        Assert.Equal([-1, -1], session.InputMetadata["tokens"].Dimensions);
        Assert.Equal([2, -1, 3], session.InputMetadata["h0"].Dimensions);
        Assert.Equal([-1, -1, vocabulary.Count], session.OutputMetadata["logits"].Dimensions);
    }

    [Fact]
    public void APyTorchExportIsExportedWithTheSameLogits()
    {
        // PyTorch's own names plus a 'vocab' entry: what make_fixtures.py saved from the lesson's CharRNN.
        var model = ModelCheckpoint.Load(FixturePath.Of("char_lstm_init.safetensors"));
        string path = dir.File("pytorch.onnx");
        OnnxExport.Write(FixturePath.Of("char_lstm_init.safetensors"), path);
        int batch = 2, seq = 3, stateLength = model.Config.NumLayers * batch * model.Config.HiddenSize;
        var tokens = new[] { 0, 1, 2, model.Config.VocabSize - 1, 3, 0 };
        var ours = Forward(model, tokens, batch, seq, new float[stateLength], new float[stateLength]);
        using var onnx = new OnnxModel(path);
        var theirs = onnx.Run(tokens, batch, seq, new float[stateLength], new float[stateLength]);
        AssertLogitsClose(ours.Logits, theirs.Logits, batch, seq, model.Config.VocabSize);
    }

    [Fact]
    public void ALoadedModelExportsToAStreamAndOnnxRuntimeGivesItsNextLogits()
    {
        using var model = CharModel.Load(FixturePath.Of("char_lstm_init.safetensors"), device);
        using var stream = new MemoryStream();
        OnnxExport.Write(model, stream);
        OnnxExport.Write(model, dir.File("model.onnx"));
        Assert.Equal(File.ReadAllBytes(dir.File("model.onnx")), stream.ToArray());
        using var onnx = new OnnxModel(stream.ToArray());
        int layers = model.Config.NumLayers, hidden = model.Config.HiddenSize, v = model.Config.VocabSize;
        foreach (var context in new[] { model.Decode([0]), model.Decode([3, 1, 4, 1, 5, 9, 2, 6]) })
        {
            var ids = model.Encode(context);
            var logits = onnx.Run(ids, 1, ids.Length, new float[layers * hidden], new float[layers * hidden]).Logits;
            AssertAllClose(model.NextLogits(context), logits[^v..], "next logits");
        }
    }

    [Fact]
    public void AnExistingFileIsRefusedUnlessOverwriteIsAsked()
    {
        var model = RandomModel(CellKind.Rnn, 1, hidden: 2, vocab: 3, seed: 1);
        string path = dir.File("taken.onnx");
        File.WriteAllText(path, "mine");
        var e = Assert.Throws<EngineException>(() => OnnxExport.Write(model, path));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(path));
        OnnxExport.Write(model, path, overwrite: true);
        using var session = new InferenceSession(path);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*.tmp"));
    }

    /// <summary>A checkpoint-like model with weights U(-0.6, 0.6): larger than PyTorch's init, so every gate matters.</summary>
    private static LoadedModel RandomModel(CellKind cell, int layers, int hidden, int vocab, ulong seed)
    {
        var config = new ModelConfig(cell, vocab, hidden, layers, 0.1f);
        var values = Initializer.Uniform(CharRnn.CreateLayout(config), _ => 0.6, seed);
        var vocabulary = new Vocabulary(Enumerable.Range(0, vocab).Select(i => ((char)('a' + i)).ToString()).ToList());
        return new LoadedModel(config, vocabulary, values, new Dictionary<string, string>());
    }

    private CharRnn Load(LoadedModel model)
    {
        var charRnn = new CharRnn(device, model.Config);
        charRnn.Store.Upload(model.Parameters);
        return charRnn;
    }

    /// <summary>Our forward pass in evaluation mode from (h0, c0), tokens batch-major.</summary>
    private (float[] Logits, float[] H, float[]? C) Forward(LoadedModel model, int[] tokens, int batch, int seq, float[] h0, float[]? c0)
    {
        using var charRnn = Load(model);
        charRnn.Prepare(batch, seq);
        using var state = charRnn.CreateState(batch);
        state.Upload(h0, c0);
        charRnn.SetBatch(tokens, null);
        charRnn.Forward(state, training: false, 0, 0);
        var logits = new float[batch * seq * model.Config.VocabSize];
        device.Ops.Download(charRnn.Logits, logits);
        return (logits, state.DownloadH(), state.DownloadC());
    }

    /// <summary>Ours are time-major rows (t·B + b); ONNX's logits are [batch, seq, vocab].</summary>
    private static void AssertLogitsClose(float[] ours, float[] onnx, int batch, int seq, int v)
    {
        Assert.Equal(ours.Length, onnx.Length);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < seq; t++)
                for (int k = 0; k < v; k++)
                    AssertClose(ours[(t * batch + b) * v + k], onnx[(b * seq + t) * v + k], $"logit b{b} t{t} k{k}");
    }

    private static void AssertAllClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"{what}[{i}]");
    }

    private static void AssertClose(float expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1f, Math.Abs(expected)),
            $"{what}: ours {expected}, ONNX Runtime {actual}");

    public void Dispose() => dir.Dispose();

    /// <summary>An exported model in ONNX Runtime: tokens and state in, logits and final state out.</summary>
    private sealed class OnnxModel(InferenceSession session) : IDisposable
    {
        public OnnxModel(string path) : this(new InferenceSession(path)) { }

        public OnnxModel(byte[] model) : this(new InferenceSession(model)) { }

        public (float[] Logits, float[] H, float[]? C) Run(int[] tokens, int batch, int seq, float[] h0, float[]? c0)
        {
            int layers = session.InputMetadata["h0"].Dimensions[0];
            int hidden = h0.Length / (layers * batch);
            var names = new List<string> { "tokens", "h0" };
            var values = new List<OrtValue>
            {
                OrtValue.CreateTensorValueFromMemory(tokens.Select(t => (long)t).ToArray(), [batch, seq]),
                OrtValue.CreateTensorValueFromMemory((float[])h0.Clone(), [layers, batch, hidden]),
            };
            if (c0 != null)
            {
                names.Add("c0");
                values.Add(OrtValue.CreateTensorValueFromMemory((float[])c0.Clone(), [layers, batch, hidden]));
            }
            var outputs = c0 != null ? new[] { "logits", "hn", "cn" } : ["logits", "hn"];
            try
            {
                using var options = new RunOptions();
                using var results = session.Run(options, names, values, outputs);
                return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[1].GetTensorDataAsSpan<float>().ToArray(),
                    c0 != null ? results[2].GetTensorDataAsSpan<float>().ToArray() : null);
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
        }

        public void Dispose() => session.Dispose();
    }
}
