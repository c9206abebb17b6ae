using ILGPU.Runtime;

namespace IlgpuLstm.Engine.Device;

/// <summary>What <c>devices</c> prints about one accelerator ILGPU sees.</summary>
public sealed record DeviceDescription(AcceleratorKind Kind, string Name, long MemoryBytes, int WarpSize,
    int MaxThreadsPerGroup, int Multiprocessors)
{
    public static DeviceDescription From(ILGPU.Runtime.Device device) => new(
        KindOf(device.AcceleratorType), device.Name, device.MemorySize, device.WarpSize,
        device.MaxNumThreadsPerGroup, device.NumMultiprocessors);

    public static AcceleratorKind KindOf(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => AcceleratorKind.Cuda,
        AcceleratorType.OpenCL => AcceleratorKind.OpenCL,
        _ => AcceleratorKind.Cpu,
    };
}
