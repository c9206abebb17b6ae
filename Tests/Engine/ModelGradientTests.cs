using ILGPU.Runtime;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// The whole model's gradient in training mode, dropout on, against central differences of its
/// loss: a seed and stream fix the masks, so the loss is a smooth function of the weights and every
/// place a mask enters the backward pass (between layers, before the output layer) is checked.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ModelGradientTests(CpuDeviceFixture fixture)
{
    public static IEnumerable<object[]> Cases =>
        TestAccelerators.With([CellKind.Lstm, 0.5f], [CellKind.Gru, 0.5f], [CellKind.Rnn, 0.3f], [CellKind.Lstm, 0f]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientWithDropoutMatchesFiniteDifferences(string accelerator, CellKind cell, float dropout)
    {
        const int vocab = 7, hidden = 5, batch = 3, steps = 4;
        var device = fixture.Get(accelerator);
        using var model = new CharRnn(device, new ModelConfig(cell, vocab, hidden, 2, dropout));
        model.Initialize(5);
        model.Prepare(batch, steps);
        var random = new Random(3);
        int[] x = Enumerable.Range(0, batch * steps).Select(_ => random.Next(vocab)).ToArray();
        int[] y = Enumerable.Range(0, batch * steps).Select(_ => random.Next(vocab)).ToArray();
        model.SetBatch(x, y);
        using var state = model.CreateState(batch);
        // A carried state, as every step but an epoch's first starts from.
        float[] h0 = Enumerable.Range(0, 2 * batch * hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] c0 = Enumerable.Range(0, 2 * batch * hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

        double Loss()
        {
            state.H.CopyFromCPU(h0);
            if (state.HasCell) state.C.CopyFromCPU(c0);
            model.Forward(state, training: true, seed: 9, stream: 256);
            model.Loss();
            return model.ReadScalar(CharRnn.LossSlot);
        }

        Loss();
        model.Backward(training: true);
        float[] analytic = model.Store.DownloadGradients();
        float[] weights = model.Store.Download();
        const float eps = 1e-2f;
        int checkedCount = 0;
        foreach (int i in Enumerable.Range(0, weights.Length).Where(i => i % 7 == 3 || analytic[i] != 0 && i % 5 == 0))
        {
            float saved = weights[i];
            weights[i] = saved + eps;
            model.Store.Upload(weights);
            double plus = Loss();
            weights[i] = saved - eps;
            model.Store.Upload(weights);
            double minus = Loss();
            weights[i] = saved;
            model.Store.Upload(weights);
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-4 + 0.03 * Math.Abs(numeric),
                $"{NameOf(model, i)}: analytic {analytic[i]:G6}, finite differences {numeric:G6}");
            checkedCount++;
        }
        Assert.True(checkedCount > 50);
    }

    private static string NameOf(CharRnn model, int index)
    {
        var spec = model.Layout.Specs.Last(s => s.Offset <= index);
        return $"{spec.Name}[{index - spec.Offset}]";
    }
}
