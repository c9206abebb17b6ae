using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Tests;

/// <summary>
/// The devices shared by every test in the "device" collection: loading the kernels costs
/// seconds, so each accelerator is opened once, on first use, and disposed (operations,
/// accelerator, context) after the last test. <see cref="Device"/> is ILGPU's CPU accelerator.
/// </summary>
public sealed class CpuDeviceFixture : IDisposable
{
    private readonly Dictionary<string, ComputeDevice> devices = [];

    public ComputeDevice Device => Get(TestAccelerators.IlgpuCpu);

    /// <summary>The device for a name of <see cref="TestAccelerators.All"/>.</summary>
    public ComputeDevice Get(string accelerator)
    {
        lock (devices)
        {
            if (!devices.TryGetValue(accelerator, out var device))
                devices[accelerator] = device = ComputeDevice.Open(TestAccelerators.Kind(accelerator));
            return device;
        }
    }

    public void Dispose()
    {
        foreach (var device in devices.Values) device.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DeviceCollection : ICollectionFixture<CpuDeviceFixture>
{
    public const string Name = "device";
}
