namespace IlgpuLstm.Engine.Device;

/// <summary>
/// Which accelerator to run on (command-line names in <see cref="AcceleratorNames"/>).
/// <see cref="Auto"/> picks a CUDA GPU, then an OpenCL GPU, then <see cref="Cpu"/>.
/// </summary>
public enum AcceleratorKind
{
    Auto,
    Cuda,
    OpenCL,
    /// <summary>The fast CPU path: every operation as vectorized, multi-threaded host code ("cpu").</summary>
    Cpu,
    /// <summary>
    /// ILGPU's CPU accelerator ("ilgpu-cpu"): runs the very kernels a GPU runs, one OS thread per
    /// kernel thread, for tests and selftest; much slower than <see cref="Cpu"/>.
    /// </summary>
    IlgpuCpu,
}
