namespace IlgpuLstm;

/// <summary>
/// One device <see cref="ComputeDevice.List"/> found: its kind, its index among the devices of that
/// kind (the second CUDA GPU is Cuda 1), its name, its memory (null where it is the host's) and
/// whether it is a CPU. Give it to <see cref="ComputeDevice.Open(DeviceEntry)"/>.
/// </summary>
public sealed record DeviceEntry(AcceleratorKind Kind, int Index, string Name, long? MemoryBytes, bool IsCpu);
