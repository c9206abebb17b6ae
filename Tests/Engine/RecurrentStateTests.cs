using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Tensors;

namespace IlgpuLstm.Tests.Engine;

/// <summary>torch-rnn's rememberStatesTest: two calls carrying the state equal one long call.</summary>
[Collection(DeviceCollection.Name)]
public sealed class RecurrentStateTests(CpuDeviceFixture fixture)
{
    private readonly ComputeDevice device = fixture.Device;

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void TwoCallsCarryingStateEqualOneLongCall(CellKind cell)
    {
        const int batch = 2, steps = 6, input = 4, hidden = 5, layers = 2;
        var layout = new ParameterLayout();
        Recurrent.AddParameters(layout, "m", cell, input, hidden, layers);
        using var store = new ParameterStore(device, layout);
        store.Upload(Initializer.Uniform(layout, _ => 0.5, 3));
        var random = new Random(2);
        var x = Enumerable.Range(0, batch * steps * input).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

        using var whole = new Recurrent(device, store, "m", cell, input, hidden, layers, 0.3f);
        whole.Prepare(batch, steps);
        using var s1 = new RecurrentState(device, cell, layers, batch, hidden);
        using var xAll = device.Accelerator.Allocate1D(x);
        var longRun = Download(whole.Forward(RecurrentInput.FromDense(xAll.View, input), s1, false, 0, 0));

        using var halves = new Recurrent(device, store, "m", cell, input, hidden, layers, 0.3f);
        halves.Prepare(batch, steps / 2);
        using var s2 = new RecurrentState(device, cell, layers, batch, hidden);
        int half = batch * steps / 2 * input; // time-major: the first T/2 steps are the first half of the rows
        using var xa = device.Accelerator.Allocate1D(x[..half]);
        using var xb = device.Accelerator.Allocate1D(x[half..]);
        var first = Download(halves.Forward(RecurrentInput.FromDense(xa.View, input), s2, false, 0, 0));
        var second = Download(halves.Forward(RecurrentInput.FromDense(xb.View, input), s2, false, 0, 0));

        Assert.Equal(longRun, first.Concat(second).ToArray());
        Assert.Equal(s1.DownloadH(), s2.DownloadH());
        Assert.Equal(s1.DownloadC(), s2.DownloadC());
    }

    [Fact]
    public void GruQuizHiddenStateIsLayersBatchHiddenWhateverBatchFirstSays()
    {
        // The lesson's quiz: GRU(input 100, hidden 20, 1 layer, batch_first), 3 sequences -> hidden (1, 3, 20).
        const int batch = 3, steps = 5, input = 100, hidden = 20;
        var layout = new ParameterLayout();
        Recurrent.AddParameters(layout, "gru", CellKind.Gru, input, hidden, 1);
        using var store = new ParameterStore(device, layout);
        store.Upload(Initializer.Uniform(layout, _ => 1 / Math.Sqrt(hidden), 7));
        using var gru = new Recurrent(device, store, "gru", CellKind.Gru, input, hidden, 1, 0f, batchFirst: true);
        gru.Prepare(batch, steps);
        var random = new Random(3);
        using var x = device.Accelerator.Allocate1D(Enumerable.Range(0, batch * steps * input).Select(_ => (float)random.NextDouble()).ToArray());

        var output = Download(gru.Forward(RecurrentInput.FromDense(x.View, input))); // no hidden state given: zeros
        var state = gru.DefaultState;
        Assert.Equal([1, 3, 20], state.Shape);
        Assert.False(state.HasCell);
        Assert.Equal(batch * steps * hidden, output.Length); // (batch, seq, hidden)
        var h = state.DownloadH();
        for (int b = 0; b < batch; b++) // h_n[0, b] is the batch-first output at (b, T-1)
            Assert.Equal(output.AsSpan(((b * steps) + steps - 1) * hidden, hidden).ToArray(), h.AsSpan(b * hidden, hidden).ToArray());
    }

    private float[] Download(ArrayView<float> view)
    {
        var values = new float[view.Length];
        device.Ops.Download(view, values);
        return values;
    }
}
