using ILGPU.Runtime;

namespace IlgpuLstm.Engine.Device;

/// <summary>What <c>devices</c> prints about one accelerator ILGPU sees.</summary>
public sealed record DeviceDescription(AcceleratorKind Kind, string Name, long MemoryBytes, int WarpSize,
    int MaxThreadsPerGroup, int Multiprocessors)
{
    public static DeviceDescription From(ILGPU.Runtime.Device device) => new(
        KindOf(device.AcceleratorType), device.Name, device.MemorySize, device.WarpSize,
        device.MaxNumThreadsPerGroup, device.NumMultiprocessors);

    /// <summary>The fast CPU path: ILGPU's CPU device for memory, host code and a pool of threads for the work.</summary>
    public static DeviceDescription Host(ILGPU.Runtime.Device device, int threads) => new(
        AcceleratorKind.Cpu, $"host code ({(Ops.Host.HostGemm.WideVectors ? "AVX-512" : "AVX2")}, {threads} threads)",
        device.MemorySize, 1, 1, threads);

    /// <summary>Whether an OpenCL device is a CPU (pocl, Intel's CPU runtime) rather than a GPU.</summary>
    public static bool IsCpuDevice(ILGPU.Runtime.Device device) =>
        device is ILGPU.Runtime.OpenCL.CLDevice cl && cl.DeviceType == ILGPU.Runtime.OpenCL.CLDeviceType.CL_DEVICE_TYPE_CPU;

    public static AcceleratorKind KindOf(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => AcceleratorKind.Cuda,
        AcceleratorType.OpenCL => AcceleratorKind.OpenCL,
        _ => AcceleratorKind.IlgpuCpu,
    };
}
