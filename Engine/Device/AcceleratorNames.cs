namespace IlgpuLstm.Engine.Device;

/// <summary>The names users type for <see cref="AcceleratorKind"/> values, and back.</summary>
internal static class AcceleratorNames
{
    public const string Help = "auto, cuda, opencl, cpu (fast host code) or ilgpu-cpu (ILGPU's CPU accelerator running the GPU kernels); default auto.";

    public static string Of(AcceleratorKind kind) => kind switch
    {
        AcceleratorKind.Cuda => "cuda",
        AcceleratorKind.OpenCL => "opencl",
        AcceleratorKind.Cpu => "cpu",
        AcceleratorKind.IlgpuCpu => "ilgpu-cpu",
        _ => "auto",
    };

    /// <summary>The enum member name CommandLineParser matches for a user's word ("ilgpu-cpu" → IlgpuCpu).</summary>
    public static string Normalize(string word) =>
        word.Equals("ilgpu-cpu", StringComparison.OrdinalIgnoreCase) ? nameof(AcceleratorKind.IlgpuCpu)
        : word.Equals("host", StringComparison.OrdinalIgnoreCase) ? nameof(AcceleratorKind.Cpu)
        : word;
}
