using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// The one owner of an ILGPU context, its accelerator, the loaded kernels and the operations
/// built on them. Everything allocated through <see cref="Allocate{T}"/> must be disposed by its
/// owner before this is; disposal runs accelerator, then context.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private readonly Context context;
    private readonly IlgpuOps ops;

    private ComputeDevice(Context context, Accelerator accelerator, LaunchPolicy? policy)
    {
        this.context = context;
        Accelerator = accelerator;
        Description = DeviceDescription.From(accelerator.Device);
        Kernels = new KernelSet(accelerator, policy ?? LaunchPolicy.For(accelerator));
        ops = new IlgpuOps(this);
    }

    public Accelerator Accelerator { get; }
    public DeviceDescription Description { get; }
    public KernelSet Kernels { get; }
    public IOps Ops => ops;

    /// <summary>Opens the requested accelerator and loads every kernel on it.</summary>
    public static ComputeDevice Open(AcceleratorKind kind, LaunchPolicy? policy = null)
    {
        var context = DeviceCatalog.CreateContext();
        try
        {
            var accelerator = DeviceCatalog.Select(context, kind).CreateAccelerator(context);
            return new ComputeDevice(context, accelerator, policy);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a CPU accelerator with a given simulated device shape: tests use ILGPU's default
    /// (4, 4, 1) device to run the tiled GEMM with 16-thread groups.
    /// </summary>
    public static ComputeDevice OpenCpu(CPUDevice cpuDevice, Func<LaunchPolicy, LaunchPolicy>? adjust = null)
    {
        var context = Context.Create(b => b.CPU(cpuDevice).EnableAlgorithms());
        try
        {
            var accelerator = context.GetCPUDevice(0).CreateAccelerator(context);
            var policy = LaunchPolicy.For(accelerator);
            return new ComputeDevice(context, accelerator, adjust?.Invoke(policy) ?? policy);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Allocates <paramref name="length"/> elements. Running out of device memory becomes an
    /// <see cref="EngineException"/> naming the allocation and what to shrink.
    /// </summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(long length, string what)
        where T : unmanaged
    {
        try
        {
            var buffer = Accelerator.Allocate1D<T>(Math.Max(1, length));
            BytesAllocated += buffer.LengthInBytes;
            return buffer;
        }
        catch (Exception e) when (e is OutOfMemoryException or AcceleratorException)
        {
            long bytes = length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            throw new EngineException(
                $"out of device memory allocating {what} ({bytes / (1024.0 * 1024.0):F1} MiB on {Description.Name}); " +
                "try a smaller --batch-size, --seq-length or --hidden-size", e);
        }
    }

    /// <summary>
    /// Bytes allocated through <see cref="Allocate{T}"/> so far. Buffers are allocated once at
    /// setup and kept, so after the first step this is the run's device-memory footprint.
    /// </summary>
    public long BytesAllocated { get; private set; }

    public void Synchronize() => Accelerator.Synchronize();

    public void Dispose()
    {
        ops.Dispose();
        Accelerator.Dispose();
        context.Dispose();
    }
}
