using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm;

/// <summary>
/// What <c>devices</c> prints about one accelerator ILGPU sees. <see cref="IsCpu"/>: the hardware is
/// a CPU (ILGPU's CPU accelerator, the host path, or an OpenCL CPU runtime such as pocl), so the
/// CPU's training preset applies, not the GPU's.
/// </summary>
/// <param name="Kind">The accelerator kind.</param>
/// <param name="Name">The name the driver gives (for the host path, its SIMD width and threads).</param>
/// <param name="MemoryBytes">Device memory in bytes as ILGPU reports it; on a CPU that is not a limit (<see cref="DeviceEntry.MemoryBytes"/> is null there).</param>
/// <param name="WarpSize">Threads that run in lockstep (32 on NVIDIA GPUs).</param>
/// <param name="MaxThreadsPerGroup">The largest work-group.</param>
/// <param name="Multiprocessors">Streaming multiprocessors or compute units (for the host path, its threads).</param>
/// <param name="IsCpu">Whether the hardware is a CPU.</param>
public sealed record DeviceDescription(AcceleratorKind Kind, string Name, long MemoryBytes, int WarpSize,
    int MaxThreadsPerGroup, int Multiprocessors, bool IsCpu)
{
    internal static DeviceDescription From(ILGPU.Runtime.Device device) => new(
        KindOf(device.AcceleratorType), device.Name, device.MemorySize, device.WarpSize,
        device.MaxNumThreadsPerGroup, device.NumMultiprocessors,
        device.AcceleratorType == AcceleratorType.CPU || IsCpuRuntime(device));

    /// <summary>The fast CPU path: ILGPU's CPU device for memory, host code and a pool of threads for the work.</summary>
    internal static DeviceDescription Host(ILGPU.Runtime.Device device, int threads) => new(
        AcceleratorKind.Cpu, $"host code ({Engine.Ops.Host.HostSimd.Name}, {threads} threads)",
        device.MemorySize, 1, 1, threads, true);

    /// <summary>
    /// With the right warp size for an OpenCL device ILGPU reports 0 for (pocl): see
    /// <see cref="OpenClWarp"/>. Other devices keep ILGPU's figure.
    /// </summary>
    internal DeviceDescription WithWarpOf(Accelerator accelerator) =>
        WarpSize == 0 && OpenClWarp.PreferredMultiple(accelerator) is { } warp ? this with { WarpSize = warp } : this;

    /// <summary>Whether an OpenCL device is a CPU (pocl, Intel's CPU runtime) rather than a GPU.</summary>
    [Obsolete("Exposes an ILGPU type; use ComputeDevice.List() and DeviceEntry.IsCpu.")]
    public static bool IsCpuDevice(ILGPU.Runtime.Device device) => IsCpuRuntime(device);

    internal static bool IsCpuRuntime(ILGPU.Runtime.Device device) =>
        device is ILGPU.Runtime.OpenCL.CLDevice cl && cl.DeviceType == ILGPU.Runtime.OpenCL.CLDeviceType.CL_DEVICE_TYPE_CPU;

    internal static AcceleratorKind KindOf(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => AcceleratorKind.Cuda,
        AcceleratorType.OpenCL => AcceleratorKind.OpenCL,
        _ => AcceleratorKind.IlgpuCpu,
    };
}
