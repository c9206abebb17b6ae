using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// Enumerates accelerators and resolves <see cref="AcceleratorKind.Auto"/>. The CPU accelerator is
/// configured as measured fastest for our kernels (docs/ILGPU-NOTES.md §1): warps of 2, one warp
/// per multiprocessor, one multiprocessor per core, and groups of one thread at launch.
/// </summary>
internal static class DeviceCatalog
{
    /// <summary>The CPU device our CPU runs use.</summary>
    public static CPUDevice CpuDevice() => new(2, 1, Math.Max(1, Environment.ProcessorCount));

    /// <summary>A context with every GPU ILGPU can find and our CPU device; the caller disposes it.</summary>
    public static Context CreateContext()
    {
        NativeLibraries.Install();
        // Profiling: the batch upload orders its page-locked buffers by stream markers (BatchUpload).
        return Context.Create(b => b.Cuda().OpenCL().CPU(CpuDevice()).EnableAlgorithms().Math(MathMode.Default).Profiling());
    }

    public static IReadOnlyList<DeviceDescription> List(Context context) =>
        context.Devices.Select(DeviceDescription.From).ToList();

    /// <summary>
    /// The device a request maps to and the kind it runs as: the first device of that kind, or for
    /// Auto a CUDA GPU, then an OpenCL GPU, then the fast CPU path. An OpenCL device that is itself
    /// a CPU (pocl) is never chosen by Auto: the host path is faster there.
    /// The fast CPU path runs on ILGPU's CPU device (for its memory).
    /// </summary>
    public static (ILGPU.Runtime.Device Device, AcceleratorKind Kind) Select(Context context, AcceleratorKind kind)
    {
        // The builder silently falls back to the CPU when a kind is missing, so check the type.
        ILGPU.Runtime.Device? First(AcceleratorKind k, bool gpuOnly = false) =>
            context.Devices.FirstOrDefault(d => DeviceDescription.KindOf(d.AcceleratorType) == k &&
                (!gpuOnly || !DeviceDescription.IsCpuRuntime(d)));
        var cpu = First(AcceleratorKind.IlgpuCpu) ?? throw new EngineException("no accelerator found, not even the CPU one");
        if (kind == AcceleratorKind.Auto)
        {
            var gpu = First(AcceleratorKind.Cuda) ?? First(AcceleratorKind.OpenCL, gpuOnly: true);
            return gpu != null ? (gpu, DeviceDescription.KindOf(gpu.AcceleratorType)) : (cpu, AcceleratorKind.Cpu);
        }
        if (kind == AcceleratorKind.Cpu) return (cpu, kind);
        return (First(kind) ?? throw new EngineException(
            $"no {Describe(kind)} accelerator found{(kind == AcceleratorKind.Cuda ? ": " + CudaProbe.Diagnose() : "")} " +
            "(run 'ilgpu-lstm devices' to see what is available)"), kind);
    }

    /// <summary>How a device is named in one line: the host path's name already says what it is.</summary>
    public static string Label(DeviceDescription d) => d.Kind == AcceleratorKind.Cpu ? d.Name : $"{d.Name} ({Describe(d.Kind)})";

    public static string Describe(AcceleratorKind kind) => kind switch
    {
        AcceleratorKind.Cuda => "CUDA",
        AcceleratorKind.OpenCL => "OpenCL",
        AcceleratorKind.Cpu => "CPU (host code)",
        AcceleratorKind.IlgpuCpu => "ILGPU CPU accelerator",
        _ => "auto",
    };
}
