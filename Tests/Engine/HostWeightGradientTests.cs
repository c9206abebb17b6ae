using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Ops;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// The host makes a layer's bias and one-hot gradients from the rows its weight-gradient GEMM packs
/// (dG 512 or more wide). They must be the very bits of the GEMM, the column sum and the one-hot
/// backward run one after another, which the kernel tests check against their references.
/// </summary>
public sealed class HostWeightGradientTests
{
    [Theory]
    [InlineData(70, 512, 128, 30, true)] // a 2 x 128 LSTM's shape, tokens, both biases
    [InlineData(1600, 512, 128, 83, true)] // more than one K pass of the GEMM
    [InlineData(45, 520, 33, 0, true)] // a ragged block of rows, no tokens
    [InlineData(33, 2048, 17, 5, false)] // the lesson's width, one bias
    [InlineData(40, 300, 20, 7, true)] // too narrow to be packed: the three operations in turn
    public void FusedGradientsAreTheBitsOfTheThreeOperations(int rows, int gates, int width, int vocab, bool twoBiases)
    {
        using var device = ComputeDevice.OpenHost(2);
        var ops = device.Ops;
        var acc = device.Accelerator;
        var random = new Random(rows + gates + width + vocab);
        float[] Floats(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] dG = Floats((long)rows * gates), x = Floats((long)rows * width);
        float[] dW = Floats((long)gates * width), bias = Floats(gates), second = Floats(gates), wIh = Floats((long)gates * Math.Max(vocab, 1));
        int[] ids = Enumerable.Range(0, rows).Select(_ => random.Next(Math.Max(vocab, 1))).ToArray();
        var owned = new List<IDisposable>();
        ArrayView<T> Upload<T>(T[] values) where T : unmanaged
        {
            var buffer = acc.Allocate1D(values);
            owned.Add(buffer);
            return buffer.View;
        }
        try
        {
            var (dGView, xView, tokens) = (Upload(dG), Upload(x), Upload(ids));
            var (dWA, dWB, biasA, biasB) = (Upload(dW), Upload(dW), Upload(bias), Upload(bias));
            var (secondA, secondB, wIhA, wIhB) = (Upload(second), Upload(second), Upload(wIh), Upload(wIh));

            ops.RecurrentWeightGradients(dGView, xView, dWA, rows, gates, width, biasA, twoBiases ? secondA : null,
                vocab > 0 ? new OneHotGradient(tokens, default, wIhA, vocab) : null);
            ops.Gemm(true, false, gates, width, rows, 1f, dGView, gates, xView, width, 1f, dWB, width);
            ops.ColumnSum(dGView, biasB, rows, gates, twoBiases ? secondB : null);
            if (vocab > 0) ops.OneHotBackward(tokens, default, dGView, wIhB, rows, gates, vocab);

            float[] Read(ArrayView<float> view) => ((ArrayView1D<float, Stride1D.Dense>)view).GetAsArray1D();
            Assert.Equal(Read(dWB), Read(dWA));
            Assert.Equal(Read(biasB), Read(biasA));
            Assert.Equal(Read(secondB), Read(secondA));
            Assert.Equal(Read(wIhB), Read(wIhA));
            Assert.NotEqual(bias, Read(biasA));
            if (vocab > 0) Assert.NotEqual(wIh, Read(wIhA));
        }
        finally
        {
            foreach (var buffer in owned) buffer.Dispose();
        }
    }
}
