using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// Compiles kernels to PTX and OpenCL C without any device or driver, through ILGPU's public
/// backends (docs/ILGPU-NOTES.md §3), so a construct a GPU backend rejects fails here, in CI,
/// instead of on a user's GPU. Owns its context; dispose it.
/// </summary>
internal sealed class OfflineCompiler : IDisposable
{
    private readonly Context context = Context.Create(b => b.EnableAlgorithms());

    /// <summary>
    /// PTX for one kernel. <paramref name="isa"/> defaults to PTX 7.8, the newest that the
    /// ptxas of Debian's nvidia-cuda-toolkit 11.8 assembles.
    /// </summary>
    public string Ptx(KernelEntry kernel, CudaArchitecture architecture, CudaInstructionSet? isa = null)
    {
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture,
            isa ?? CudaInstructionSet.ISA_78, nvvmAPI: null);
        var compiled = (PTXCompiledKernel)backend.Compile(Describe(kernel), new KernelSpecialization());
        return compiled.PTXAssembly;
    }

    /// <summary>OpenCL C 3.0 source for one kernel, for a device with generic address space (as ILGPU requires).</summary>
    public string OpenCl(KernelEntry kernel)
    {
        using var backend = new CLBackend(context,
            new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: true,
                subGroups: false),
            CLDeviceVendor.Other, CLCVersion.CL30);
        var compiled = (CLCompiledKernel)backend.Compile(Describe(kernel), new KernelSpecialization());
        return compiled.Source;
    }

    private static EntryPointDescription Describe(KernelEntry kernel) => kernel.ExplicitlyGrouped
        ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method)
        : EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method);

    public void Dispose() => context.Dispose();
}
