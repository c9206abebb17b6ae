using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Tensors;
using IlgpuLstm.Engine.Training;
using IlgpuLstm.Kernels;
using IlgpuLstm.Tests.Fixtures;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// Against fixtures made by Tests/Fixtures/make_fixtures.py with PyTorch: the lesson's training
/// steps (losses and final weights) and each recurrent layer's outputs, final state and gradients.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class PyTorchParityTests(CpuDeviceFixture fixture)
{
    private readonly ComputeDevice device = fixture.Device;

    /// <summary>
    /// With the CPU accelerator's GEMM (the RowBlock kernel), and the GPU's register-blocked tiled
    /// kernel and every other kernel in 16-thread CPU groups, as on a GPU.
    /// </summary>
    [Theory]
    [InlineData(nameof(GemmVersion.RowBlock))]
    [InlineData(nameof(GemmVersion.TiledBlocked))]
    public void CharLstmTrainingMatchesPyTorch(string version)
    {
        var gemm = Enum.Parse<GemmVersion>(version);
        using var own = gemm == device.Kernels.Policy.Gemm ? null
            : gemm == GemmVersion.TiledBlocked ? ComputeDevice.OpenCpu(new ILGPU.Runtime.CPU.CPUDevice(4, 4, 1), p => p with { Gemm = gemm, GroupSize = 16, FusedStep = true })
            : ComputeDevice.Open(AcceleratorKind.IlgpuCpu, LaunchPolicy.For(device.Accelerator) with { Gemm = gemm });
        AssertTrainingMatchesPyTorch(own ?? device);
    }

    /// <summary>The same 12 steps on every test accelerator: the host path and OpenCL included.</summary>
    [Theory]
    [MemberData(nameof(TestAccelerators.Data), MemberType = typeof(TestAccelerators))]
    public void CharLstmTrainingMatchesPyTorchOnEveryAccelerator(string accelerator) =>
        AssertTrainingMatchesPyTorch(fixture.Get(accelerator));

    private static void AssertTrainingMatchesPyTorch(ComputeDevice dev)
    {
        // The init file is a PyTorch export: PyTorch's names plus a 'vocab' entry, nothing of ours.
        var start = ModelCheckpoint.Load(FixturePath.Of("char_lstm_init.safetensors"));
        var expected = SafetensorsFile.Open(FixturePath.Of("char_lstm_expected.safetensors"));
        var ids = expected.ReadFloat32("ids").Select(v => (int)v).ToArray();
        var losses = expected.ReadFloat32("losses");
        Assert.Equal(CellKind.Lstm, start.Config.Cell);
        Assert.Equal((16, 2, 0f), (start.Config.HiddenSize, start.Config.NumLayers, start.Config.Dropout));

        using var model = new CharRnn(dev, start.Config);
        model.Store.Upload(start.Parameters);
        var config = new TrainingOptions
        {
            Epochs = 1,
            BatchSize = 4,
            SeqLength = 25,
            ValFrac = 0,
            PrintEvery = 1,
            GradClip = 5,
            Seed = 1,
            Optimizer = new OptimizerSettings(OptimizerKind.Adam, 1e-3),
        };
        var observer = new RecordingObserver();
        new Trainer(model, config, start.Vocabulary, null, observer).Run(ids, Array.Empty<int>());

        Assert.Equal(losses.Length, observer.Reports.Count);
        for (int i = 0; i < losses.Length; i++)
            Assert.True(Math.Abs(observer.Reports[i].Loss - losses[i]) <= 1e-5 * Math.Abs(losses[i]),
                $"step {i + 1}: loss {observer.Reports[i].Loss:G9}, PyTorch {losses[i]:G9}");
        var final = model.Store.Download();
        foreach (var spec in model.Layout.Specs)
        {
            var want = expected.ReadFloat32("final." + spec.Name);
            for (int i = 0; i < want.Length; i++)
            {
                float got = final[spec.Offset + i];
                Assert.True(Math.Abs(got - want[i]) <= 1e-4 * (1 + Math.Abs(want[i])),
                    $"{spec.Name}[{i}]: {got:G9}, PyTorch {want[i]:G9}");
            }
        }
    }

    public static IEnumerable<object[]> Layers => TestAccelerators.With(
        [CellKind.Lstm, false], [CellKind.Gru, false], [CellKind.Rnn, false],
        [CellKind.Lstm, true], [CellKind.Gru, true], [CellKind.Rnn, true]);

    [Theory]
    [MemberData(nameof(Layers))]
    public void RecurrentLayerMatchesPyTorch(string accelerator, CellKind cell, bool batchFirst)
    {
        var device = fixture.Get(accelerator);
        const int batch = 3, steps = 4, input = 5, hidden = 6, layers = 2;
        string name = cell.ModuleName();
        var file = SafetensorsFile.Open(FixturePath.Of($"recurrent_{name}.safetensors"));
        var layout = new ParameterLayout();
        Recurrent.AddParameters(layout, name, cell, input, hidden, layers);
        using var store = new ParameterStore(device, layout);
        var values = new float[layout.Count];
        foreach (var spec in layout.Specs) file.ReadFloat32(spec.Name).CopyTo(values, spec.Offset);
        store.Upload(values);
        using var rnn = new Recurrent(device, store, name, cell, input, hidden, layers, 0f, batchFirst);
        // The fixture is batch-first; a time-major layer gets it reordered on the host.
        float[] In(float[] v, int width) => batchFirst ? v : TimeMajor(v, batch, steps, width);
        float[] Out(float[] v, int width) => batchFirst ? v : BatchMajor(v, batch, steps, width);
        rnn.Prepare(batch, steps, inputGradient: true);
        using var state = new RecurrentState(device, cell, layers, batch, hidden);
        state.Upload(file.ReadFloat32("h0"), cell == CellKind.Lstm ? file.ReadFloat32("c0") : null);
        using var x = device.Accelerator.Allocate1D(In(file.ReadFloat32("x"), input));

        var output = rnn.Forward(RecurrentInput.FromDense(x.View, input), state, training: false, 0, 0);
        AssertClose("output", file.ReadFloat32("output"), Out(Download(device, output), hidden), 1e-5);
        AssertClose("h_n", file.ReadFloat32("h_n"), state.DownloadH(), 1e-5);
        if (cell == CellKind.Lstm) AssertClose("c_n", file.ReadFloat32("c_n"), state.DownloadC()!, 1e-5);

        device.Ops.Fill(store.Gradients, store.Count, 0f);
        var w = In(file.ReadFloat32("w"), hidden);
        rnn.OutputGradient.SubView(0, w.Length).CopyFromCPU(w);
        rnn.Backward();
        AssertClose("dx", file.ReadFloat32("dx"), Out(Download(device, rnn.InputGradient), input), 1e-4);
        var grads = store.DownloadGradients();
        foreach (var spec in layout.Specs)
            AssertClose("grad " + spec.Name, file.ReadFloat32("grad." + spec.Name),
                grads.AsSpan((int)spec.Offset, (int)spec.Length).ToArray(), 1e-4);
    }

    private static float[] Download(ComputeDevice device, ArrayView<float> view)
    {
        var values = new float[view.Length];
        device.Ops.Download(view, values);
        return values;
    }

    private static float[] TimeMajor(float[] batchMajor, int batch, int steps, int width)
    {
        var result = new float[batchMajor.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                Array.Copy(batchMajor, (b * steps + t) * width, result, (t * batch + b) * width, width);
        return result;
    }

    private static float[] BatchMajor(float[] timeMajor, int batch, int steps, int width)
    {
        var result = new float[timeMajor.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                Array.Copy(timeMajor, (t * batch + b) * width, result, (b * steps + t) * width, width);
        return result;
    }

    /// <summary>The fixtures hold float64 results rounded to float32; we compute in float32.</summary>
    private static void AssertClose(string what, float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: {actual[i]:G9}, PyTorch {expected[i]:G9}");
    }
}
