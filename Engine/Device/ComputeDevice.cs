using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Ops.Host;
using IlgpuLstm.Kernels;

namespace IlgpuLstm;

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
    private IOps? intercepted;

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

    internal Accelerator Accelerator { get; }

    /// <summary>What this device is: its kind, name, memory, and whether it is a CPU.</summary>
    public DeviceDescription Description { get; }

    /// <summary>Launches, synchronizations and allocations so far (see <see cref="DeviceCounters"/>).</summary>
    internal DeviceCounters Counters { get; } = new();

    /// <summary>The loaded kernels; the fast CPU path has none.</summary>
    internal KernelSet Kernels => kernels ?? throw new InvalidOperationException(
        "the cpu accelerator runs host code, not ILGPU kernels (use ilgpu-cpu for those)");

    internal bool HasKernels => kernels != null;
    internal IOps Ops => intercepted ?? ops;

    /// <summary>
    /// Routes every operation through <paramref name="wrap"/>(the device's own operations) from now
    /// on: bench's per-phase profile. Models built afterwards see only the wrapper.
    /// </summary>
    internal void Intercept(Func<IOps, IOps> wrap) => intercepted = wrap(ops);

    /// <summary>
    /// Opens an accelerator: <see cref="AcceleratorKind.Auto"/> picks a CUDA GPU, then an OpenCL
    /// GPU, then the CPU's host path. Loads every kernel on a GPU (seconds); dispose it when done.
    /// </summary>
    /// <exception cref="EngineException">No device of that kind here; the message says why (no driver, which library was tried, the driver's error).</exception>
    public static ComputeDevice Open(AcceleratorKind kind) => Open(kind, null);

    /// <summary>
    /// Every device this machine offers, in the order <see cref="AcceleratorKind.Auto"/> prefers
    /// them among GPUs: the host path (<see cref="AcceleratorKind.Cpu"/>), ILGPU's CPU accelerator,
    /// then each CUDA and OpenCL device with its index among its kind. Opens no device.
    /// </summary>
    public static IReadOnlyList<DeviceEntry> List()
    {
        using var context = DeviceCatalog.CreateContext();
        var (cpu, _) = DeviceCatalog.Select(context, AcceleratorKind.Cpu);
        var entries = new List<DeviceEntry> { new(AcceleratorKind.Cpu, 0, DeviceDescription.Host(cpu, Engine.Ops.Host.WorkerPool.DefaultThreads()).Name, null, true) };
        foreach (var group in context.Devices.GroupBy(d => DeviceDescription.KindOf(d.AcceleratorType)))
            entries.AddRange(group.Select((d, i) => new DeviceEntry(group.Key, i, d.Name,
                group.Key == AcceleratorKind.IlgpuCpu ? null : d.MemorySize, DeviceDescription.From(d).IsCpu)));
        return entries;
    }

    /// <summary>Opens a device <see cref="List"/> returned (of two GPUs of a kind, the one asked for).</summary>
    /// <exception cref="EngineException">The device is no longer there.</exception>
    public static ComputeDevice Open(DeviceEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind is AcceleratorKind.Cpu or AcceleratorKind.Auto) return Open(entry.Kind);
        var context = DeviceCatalog.CreateContext();
        try
        {
            var device = context.Devices.Where(d => DeviceDescription.KindOf(d.AcceleratorType) == entry.Kind).ElementAtOrDefault(entry.Index);
            if (device is null || device.Name != entry.Name)
                throw new EngineException($"device {entry.Kind} {entry.Index} ({entry.Name}) is not there any more; list the devices again");
            return new ComputeDevice(context, device.CreateAccelerator(context), entry.Kind, null);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Opens the requested accelerator with a launch policy of the caller's (tests, bench).</summary>
    internal static ComputeDevice Open(AcceleratorKind kind, LaunchPolicy? policy)
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
    internal static ComputeDevice OpenHost(int threads)
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
    internal static ComputeDevice OpenCpu(CPUDevice cpuDevice, Func<LaunchPolicy, LaunchPolicy>? adjust = null)
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
    internal DeviceBuffer<T> Allocate<T>(long length, string what)
        where T : unmanaged
    {
        try
        {
            var buffer = new DeviceBuffer<T>(Accelerator, Math.Max(1, length));
            BytesAllocated += buffer.LengthInBytes;
            Counters.Allocated();
            return buffer;
        }
        catch (Exception e) when (e is OutOfMemoryException or AcceleratorException)
        {
            long bytes = length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            throw new EngineException(
                $"out of device memory allocating {what} ({bytes / (1024.0 * 1024.0):F1} MiB on {Description.Name}); " +
                "try a smaller BatchSize, SeqLength or HiddenSize", e);
        }
    }

    /// <summary>
    /// Bytes allocated through <see cref="Allocate{T}"/> so far. Buffers are allocated once at
    /// setup and kept, so after the first step this is the run's device-memory footprint.
    /// </summary>
    internal long BytesAllocated { get; private set; }

    internal void Synchronize()
    {
        Counters.Synchronized();
        Accelerator.Synchronize();
    }

    /// <summary>
    /// One call at a time runs on a device: the models and forecasters on it take this lock for each
    /// call (each generated character), and training holds it, handing it over between steps
    /// (Training.DeviceTurns), so several threads, models and runs may share it.
    /// </summary>
    internal object Gate { get; } = new();

    private bool disposed;

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming this type once the device is disposed.</summary>
    internal void ThrowIfDisposed()
    {
        if (disposed)
            throw new ObjectDisposedException(nameof(ComputeDevice), "the ComputeDevice this runs on has been disposed; open a new one");
    }

    /// <summary>
    /// Frees what a model, forecaster or lesson owns on this device, once (<paramref name="disposed"/>
    /// is its flag), under the gate, so after a call in progress on another thread finishes its step.
    /// A device disposed first took that memory with it.
    /// </summary>
    internal void Free(ref bool disposed, params IDisposable[] owned)
    {
        lock (Gate)
        {
            if (disposed) return;
            disposed = true;
            try
            {
                foreach (var item in owned) item.Dispose();
            }
            catch (ObjectDisposedException)
            {
                // The device went first and took the memory with it.
            }
        }
    }

    /// <summary>Frees the device's memory, kernels and context; a model on it throws <see cref="ObjectDisposedException"/> afterwards.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (disposed) return;
            disposed = true;
            ((IDisposable)ops).Dispose();
            Accelerator.Dispose();
            context.Dispose();
        }
    }
}
