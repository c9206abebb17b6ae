using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Ops.Host;

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

    /// <summary>
    /// Host buffers start on a cache line whatever malloc returned, for every element size and
    /// length (small ones come from the heap at any 16-byte offset, large ones 16 bytes past a page),
    /// and what goes in comes back out.
    /// </summary>
    [Fact]
    public unsafe void HostBuffersAreAlignedToACacheLine()
    {
        var sizes = new long[] { 1, 3, 17, 1000, 40_000, 300_001 };
        var buffers = new List<IDisposable>();
        try
        {
            foreach (long n in sizes)
            {
                var floats = fixture.Device.Allocate<float>(n, "test floats");
                var ints = fixture.Device.Allocate<int>(n, "test ints");
                buffers.Add(floats);
                buffers.Add(ints);
                Assert.Equal(n, floats.Length);
                Assert.Equal(0, (long)HostMemory.Address(floats.View) % DeviceBuffer<float>.HostAlignment);
                Assert.Equal(0, (long)HostMemory.Address(ints.View) % DeviceBuffer<int>.HostAlignment);
                var values = Enumerable.Range(0, (int)n).Select(i => i * 0.5f).ToArray();
                floats.CopyFromCPU(values);
                Assert.Equal(values, floats.GetAsArray1D());
            }
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }
    }
}
