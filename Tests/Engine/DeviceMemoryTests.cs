using IlgpuLstm.Engine;

namespace IlgpuLstm.Tests.Engine;

[Collection(DeviceCollection.Name)]
public sealed class DeviceMemoryTests(CpuDeviceFixture fixture)
{
    [Fact]
    public void OutOfMemoryNamesTheAllocationAndWhatToShrink()
    {
        // 4 TiB: more than any machine here has, refused at once rather than touched.
        var e = Assert.Throws<EngineException>(() => fixture.Device.Allocate<float>(1L << 40, "gate pre-activations"));
        Assert.Contains("out of device memory allocating gate pre-activations", e.Message, StringComparison.Ordinal);
        Assert.Contains("--batch-size", e.Message, StringComparison.Ordinal);
        Assert.Contains("--hidden-size", e.Message, StringComparison.Ordinal);
    }
}
