using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Tests;

/// <summary>
/// One CPU accelerator shared by every test in the "device" collection: loading the kernels
/// costs seconds, so it is done once. Disposed (accelerator, then context) after the last test.
/// </summary>
public sealed class CpuDeviceFixture : IDisposable
{
    public CpuDeviceFixture() => Device = ComputeDevice.Open(AcceleratorKind.IlgpuCpu);

    public ComputeDevice Device { get; }

    public void Dispose() => Device.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DeviceCollection : ICollectionFixture<CpuDeviceFixture>
{
    public const string Name = "device";
}
