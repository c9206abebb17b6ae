using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>Same inputs, same accelerator: bit-identical outputs (no float atomics anywhere).</summary>
[Collection(DeviceCollection.Name)]
public sealed class DeterminismTests(CpuDeviceFixture fixture)
{
    private readonly ComputeDevice device = fixture.Device;

    [Fact]
    public void ReductionsGemmAndAdamRepeatBitForBit()
    {
        Assert.Equal(Run(), Run());
    }

    private float[] Run()
    {
        var random = new Random(5);
        float[] Floats(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var acc = device.Accelerator;
        const int m = 37, n = 29, k = 61, big = 262_144;
        using var a = acc.Allocate1D(Floats(m * k));
        using var b = acc.Allocate1D(Floats(k * n));
        using var c = acc.Allocate1D<float>(m * n);
        using var values = acc.Allocate1D(Floats(big));
        using var grads = acc.Allocate1D(Floats(big));
        using var param = acc.Allocate1D(Floats(big));
        using var mom = acc.Allocate1D<float>(big);
        using var vel = acc.Allocate1D<float>(big);
        using var scalars = acc.Allocate1D<float>(4);
        device.Ops.Fill(mom.View, big, 0f);
        device.Ops.Fill(vel.View, big, 0f);
        device.Ops.Gemm(false, false, m, n, k, 1f, a.View, k, b.View, n, 0f, c.View, n);
        device.Ops.Sum(values.View, big, scalars.View, 0, 1f, false);
        device.Ops.Sum(grads.View, big, scalars.View, 1, 1f, true);
        device.Ops.ClipCoefficient(scalars.View, 1, 2, 3, 5f);
        device.Ops.Adam(param.View, grads.View, mom.View, vel.View, scalars.View, 3,
            new OptimizerArgs(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1e-2f, 0.0447f, 0f, 0), big);
        return [.. c.GetAsArray1D(), .. scalars.GetAsArray1D(), .. param.GetAsArray1D()];
    }
}
