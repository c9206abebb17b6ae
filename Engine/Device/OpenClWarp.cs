using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// The warp size of an OpenCL device whose vendor ILGPU does not know (pocl reports 0 before it is
/// opened and its maximum group, 4096, after): the preferred work-group size multiple the runtime
/// gives for a compiled kernel, the number of work-items it runs in lock step (8 for pocl on
/// AVX-512, what clinfo prints as "Preferred work group size multiple"). Only for an accelerator
/// opened to be described: the probe kernel it loads and frees shares ILGPU's per-context kernel
/// cache, and an accelerator that trains afterwards failed its GEMM launches (found on OpenCL in CI).
/// </summary>
internal static class OpenClWarp
{
    public static int? PreferredMultiple(Accelerator accelerator)
    {
        if (accelerator is not CLAccelerator cl) return null;
        try
        {
            var method = typeof(Kernels.Gemm).GetMethod(nameof(Kernels.Gemm.Tiled))!;
            using var kernel = (CLKernel)cl.LoadKernel(method);
            var multiple = CLAPI.CurrentAPI.GetKernelWorkGroupInfo<IntPtr>(kernel.KernelPtr, cl.DeviceId,
                CLKernelWorkGroupInfoType.CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE);
            return multiple > 0 ? (int)multiple : null;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or CLException)
        {
            return null; // a runtime that cannot say: keep what ILGPU reports
        }
    }
}
