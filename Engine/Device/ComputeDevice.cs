using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Ops.Host;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// The one owner of an ILGPU context, its accelerator, the loaded kernels and the operations
/// built on them. Everything allocated through <see cref="Allocate{T}"/> must be disposed by its
/// owner before this is; disposal runs operations, accelerator, then context.
/// <para>
/// The fast CPU path (<see cref="AcceleratorKind.Cpu"/>) keeps its buffers in the memory of
/// ILGPU's CPU accelerator too, so layers and models see one kind of view everywhere, but runs
/// <see cref="HostOps"/> over them and loads no kernel.
/// </para>
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private readonly Context context;
    private readonly KernelSet? kernels;
    private readonly IOps ops;

    private ComputeDevice(Context context, Accelerator accelerator, AcceleratorKind kind, LaunchPolicy? policy,
        int hostThreads = 0)
    {
        this.context = context;
        Accelerator = accelerator;
        if (kind == AcceleratorKind.Cpu)
        {
            var host = new HostOps(hostThreads > 0 ? hostThreads : WorkerPool.DefaultThreads(), Counters);
            ops = host;
            Description = DeviceDescription.Host(accelerator.Device, host.Pool.Threads);
        }
        else
        {
            Description = DeviceDescription.From(accelerator.Device);
            kernels = new KernelSet(accelerator, policy ?? LaunchPolicy.For(accelerator));
            ops = new IlgpuOps(this);
        }
    }

    public Accelerator Accelerator { get; }
    public DeviceDescription Description { get; }

    /// <summary>Launches, synchronizations and allocations so far (see <see cref="DeviceCounters"/>).</summary>
    public DeviceCounters Counters { get; } = new();

    /// <summary>The loaded kernels; the fast CPU path has none.</summary>
    public KernelSet Kernels => kernels ?? throw new InvalidOperationException(
        "the cpu accelerator runs host code, not ILGPU kernels (use ilgpu-cpu for those)");

    public bool HasKernels => kernels != null;
    public IOps Ops => ops;

    /// <summary>Opens the requested accelerator and loads every kernel on it (none for the host path).</summary>
    public static ComputeDevice Open(AcceleratorKind kind, LaunchPolicy? policy = null)
    {
        var context = DeviceCatalog.CreateContext();
        try
        {
            var (device, resolved) = DeviceCatalog.Select(context, kind);
            return new ComputeDevice(context, device.CreateAccelerator(context), resolved, policy);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The fast CPU path with a given number of threads (tests: results must not depend on it).</summary>
    public static ComputeDevice OpenHost(int threads)
    {
        var context = DeviceCatalog.CreateContext();
        try
        {
            var (device, kind) = DeviceCatalog.Select(context, AcceleratorKind.Cpu);
            return new ComputeDevice(context, device.CreateAccelerator(context), kind, null, threads);
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
            return new ComputeDevice(context, accelerator, AcceleratorKind.IlgpuCpu, adjust?.Invoke(policy) ?? policy);
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
            Counters.Allocated();
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

    public void Synchronize()
    {
        Counters.Synchronized();
        Accelerator.Synchronize();
    }

    public void Dispose()
    {
        ((IDisposable)ops).Dispose();
        Accelerator.Dispose();
        context.Dispose();
    }
}
