using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// The fast host path against ILGPU's CPU accelerator running the GPU kernels: whole training runs
/// agree to float rounding, and on the host path the thread count changes no bit.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class HostPathTests(CpuDeviceFixture fixture)
{
    private const string Text = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n";

    /// <summary>
    /// 20 steps with dropout, clipping and carried state: same losses and weights, to float tolerance.
    /// At batch 11 the host runs each layer's time loop as one operation, at batch 4 step by step.
    /// </summary>
    [Theory]
    [InlineData(CellKind.Lstm, 4)]
    [InlineData(CellKind.Gru, 4)]
    [InlineData(CellKind.Rnn, 4)]
    [InlineData(CellKind.Lstm, 11)]
    [InlineData(CellKind.Gru, 11)]
    [InlineData(CellKind.Rnn, 11)]
    public void TwentyStepsAgreeWithTheKernels(CellKind cell, int batch)
    {
        var (hostLosses, hostWeights) = Train(fixture.Get(TestAccelerators.Host), cell, batch: batch);
        var (kernelLosses, kernelWeights) = Train(fixture.Get(TestAccelerators.IlgpuCpu), cell, batch: batch);
        Assert.Equal(20, hostLosses.Count);
        for (int i = 0; i < hostLosses.Count; i++)
            Assert.True(Math.Abs(hostLosses[i] - kernelLosses[i]) <= 1e-5 * Math.Abs(kernelLosses[i]),
                $"step {i + 1}: host {hostLosses[i]:G9}, kernels {kernelLosses[i]:G9}");
        for (int i = 0; i < hostWeights.Length; i++)
            Assert.True(Math.Abs(hostWeights[i] - kernelWeights[i]) <= 1e-4 * (1 + Math.Abs(kernelWeights[i])),
                $"weight {i}: host {hostWeights[i]:G9}, kernels {kernelWeights[i]:G9}");
    }

    /// <summary>Work is split by problem size, never by thread count: 1, 2 and 3 threads give the same bits.</summary>
    [Fact]
    public void ThreadCountChangesNoBit()
    {
        var runs = new[] { 1, 2, 3 }.Select(threads =>
        {
            using var device = ComputeDevice.OpenHost(threads);
            return Train(device, CellKind.Lstm, hidden: 40, batch: 9);
        }).ToList();
        foreach (var run in runs.Skip(1))
        {
            Assert.Equal(runs[0].Losses, run.Losses);
            Assert.Equal(runs[0].Weights, run.Weights);
        }
    }

    /// <summary>GEMMs that pack their operands (the weight gradients over all time steps) split the same way too.</summary>
    [Fact]
    public void PackedGemmChangesNoBitWithThreadCount()
    {
        var random = new Random(11);
        float[] Floats(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] a = Floats(1030 * 600), b = Floats(600 * 1030);
        var runs = new[] { 1, 2, 3 }.Select(threads =>
        {
            using var device = ComputeDevice.OpenHost(threads);
            var acc = device.Accelerator;
            using var av = acc.Allocate1D(a);
            using var bv = acc.Allocate1D(b);
            using var c1 = acc.Allocate1D<float>(1030 * 45);
            using var c2 = acc.Allocate1D<float>(300 * 1030);
            device.Ops.Gemm(true, false, 1030, 45, 600, 1f, av.View, 1030, bv.View, 45, 0f, c1.View, 45);
            device.Ops.Gemm(false, false, 300, 1030, 523, 1f, av.View, 523, bv.View, 1030, 0f, c2.View, 1030);
            return c1.GetAsArray1D().Concat(c2.GetAsArray1D()).ToArray();
        }).ToList();
        Assert.Equal(runs[0], runs[1]);
        Assert.Equal(runs[0], runs[2]);
    }

    private static (List<double> Losses, float[] Weights) Train(ComputeDevice device, CellKind cell, int hidden = 12,
        int batch = 4)
    {
        var vocabulary = Vocabulary.FromText(Text);
        var corpus = new EncodedCorpus("pangrams", string.Concat(Enumerable.Repeat(Text, 8)), vocabulary);
        using var model = new CharRnn(device, new ModelConfig(cell, vocabulary.Count, hidden, 2, 0.3f));
        model.Initialize(3);
        var config = new TrainingOptions
        {
            Epochs = 100,
            MaxSteps = 20,
            BatchSize = batch,
            SeqLength = 9,
            ValFrac = 0,
            PrintEvery = 1,
            GradClip = 1.0,
            Seed = 7,
            Optimizer = new OptimizerSettings(OptimizerKind.Adam, 1e-2),
        };
        var observer = new RecordingObserver();
        new Trainer(model, config, vocabulary, null, observer).Run(corpus.Ids, Array.Empty<int>());
        return (observer.Reports.Select(r => r.Loss).ToList(), model.Store.Download());
    }
}
