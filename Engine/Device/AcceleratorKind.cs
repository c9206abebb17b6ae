namespace IlgpuLstm.Engine.Device;

/// <summary>Which accelerator to run on; <see cref="Auto"/> picks CUDA, then OpenCL, then CPU.</summary>
public enum AcceleratorKind
{
    Auto,
    Cuda,
    OpenCL,
    Cpu,
}
