using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Tests.Engine;

/// <summary>The resolver maps ILGPU's "cuda"/"OpenCL" to the driver's .so.1 sonames.</summary>
public sealed class NativeLibrariesTests
{
    [Theory]
    [InlineData("cuda", "libcuda.so.1")]
    [InlineData("OpenCL", "libOpenCL.so.1")]
    public void ResolvesDriverSonameFirst(string name, string soname)
    {
        var tried = new List<string>();
        var handle = NativeLibraries.Resolve(name, (string path, out IntPtr h) =>
        {
            tried.Add(path);
            h = path == soname ? new IntPtr(42) : IntPtr.Zero;
            return h != IntPtr.Zero;
        });
        Assert.Equal(new IntPtr(42), handle);
        Assert.Equal(soname, tried[0]);
    }

    [Fact]
    public void FallsBackToTheDevelopmentName()
    {
        var handle = NativeLibraries.Resolve("cuda", (string path, out IntPtr h) =>
        {
            h = path == "libcuda.so" ? new IntPtr(7) : IntPtr.Zero;
            return h != IntPtr.Zero;
        });
        Assert.Equal(new IntPtr(7), handle);
    }

    [Fact]
    public void LeavesOtherLibrariesAndMissingDriversAlone()
    {
        int calls = 0;
        NativeLibraries.TryLoadLibrary never = (string _, out IntPtr h) => { calls++; h = IntPtr.Zero; return false; };
        Assert.Equal(IntPtr.Zero, NativeLibraries.Resolve("libz", never));
        Assert.Equal(0, calls);
        Assert.Equal(IntPtr.Zero, NativeLibraries.Resolve("cuda", never));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void InstalledResolverLetsContextCreationSucceedWithoutADriver()
    {
        NativeLibraries.Install();
        NativeLibraries.Install(); // idempotent
        using var context = DeviceCatalog.CreateContext();
        var kinds = DeviceCatalog.List(context).Select(d => d.Kind).ToList();
        Assert.Contains(AcceleratorKind.IlgpuCpu, kinds);
        // Auto: a CUDA GPU, then an OpenCL device that is not a CPU, then the host path.
        bool openClGpu = context.Devices.Any(d => DeviceDescription.KindOf(d.AcceleratorType) == AcceleratorKind.OpenCL &&
            !DeviceDescription.IsCpuRuntime(d));
        var expected = kinds.Contains(AcceleratorKind.Cuda) ? AcceleratorKind.Cuda
            : openClGpu ? AcceleratorKind.OpenCL : AcceleratorKind.Cpu;
        Assert.Equal(expected, DeviceCatalog.Select(context, AcceleratorKind.Auto).Kind);
    }
}
