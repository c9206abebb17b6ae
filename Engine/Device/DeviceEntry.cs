namespace IlgpuLstm;

/// <summary>
/// One device <see cref="ComputeDevice.List"/> found: its kind, its index among the devices of that
/// kind (the second CUDA GPU is Cuda 1), its name, its memory (null where it is the host's) and
/// whether it is a CPU. Give it to <see cref="ComputeDevice.Open(DeviceEntry)"/>.
/// </summary>
/// <param name="Kind">The accelerator kind.</param>
/// <param name="Index">Its place among the devices of its kind, from 0.</param>
/// <param name="Name">The name the driver gives.</param>
/// <param name="MemoryBytes">Its memory in bytes; null for a device that uses the host's memory.</param>
/// <param name="IsCpu">Whether the hardware is a CPU (the CPU presets apply).</param>
public sealed record DeviceEntry(AcceleratorKind Kind, int Index, string Name, long? MemoryBytes, bool IsCpu);
