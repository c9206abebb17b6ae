namespace IlgpuLstm.Tests.Api;

/// <summary>ComputeDevice.List names every device with its index among its kind, and Open takes an entry.</summary>
public sealed class DeviceListTests
{
    [Fact]
    public void ListsTheHostPathAndIlgpusCpuAndOpensAnEntry()
    {
        var devices = ComputeDevice.List();
        var host = devices[0];
        Assert.Equal(AcceleratorKind.Cpu, host.Kind);
        Assert.True(host.IsCpu);
        Assert.Null(host.MemoryBytes);
        Assert.StartsWith("host code (", host.Name, StringComparison.Ordinal);
        var ilgpu = Assert.Single(devices, d => d.Kind == AcceleratorKind.IlgpuCpu);
        Assert.Equal(0, ilgpu.Index);
        Assert.All(devices.GroupBy(d => d.Kind), g => Assert.Equal(Enumerable.Range(0, g.Count()), g.Select(d => d.Index)));
        using (var device = ComputeDevice.Open(ilgpu))
            Assert.Equal(AcceleratorKind.IlgpuCpu, device.Description.Kind);
        using (var device = ComputeDevice.Open(host))
            Assert.Equal(AcceleratorKind.Cpu, device.Description.Kind);
        var gone = ilgpu with { Index = 7 };
        Assert.Contains("is not there any more", Assert.Throws<EngineException>(() => ComputeDevice.Open(gone)).Message, StringComparison.Ordinal);
    }
}
