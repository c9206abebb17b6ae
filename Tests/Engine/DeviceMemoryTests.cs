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
        // The library names its options; the CLI says the train verb's flags for them.
        Assert.Contains("BatchSize", e.Message, StringComparison.Ordinal);
        Assert.Contains("HiddenSize", e.Message, StringComparison.Ordinal);
        var cli = IlgpuLstm.Cli.FlagNames.Translate(e.Message, typeof(IlgpuLstm.Cli.Verbs.TrainOptions));
        Assert.Contains("try a smaller --batch-size, --seq-length or --hidden-size", cli, StringComparison.Ordinal);
    }
}
