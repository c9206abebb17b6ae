namespace IlgpuLstm;

/// <summary>
/// Which accelerator to run on (command-line names in <c>AcceleratorNames</c>).
/// <see cref="Auto"/> picks a CUDA GPU, then an OpenCL GPU, then <see cref="Cpu"/>.
/// </summary>
public enum AcceleratorKind
{
    /// <summary>A CUDA GPU, else an OpenCL GPU, else <see cref="Cpu"/>.</summary>
    Auto,
    /// <summary>An NVIDIA GPU through CUDA ("cuda").</summary>
    Cuda,
    /// <summary>An OpenCL device, GPUs first ("opencl").</summary>
    OpenCL,
    /// <summary>The fast CPU path: every operation as vectorized, multi-threaded host code ("cpu").</summary>
    Cpu,
    /// <summary>
    /// ILGPU's CPU accelerator ("ilgpu-cpu"): runs the very kernels a GPU runs, one OS thread per
    /// kernel thread, for tests and selftest; much slower than <see cref="Cpu"/>.
    /// </summary>
    IlgpuCpu,
}
