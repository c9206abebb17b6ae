using System.Runtime.InteropServices;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Four consecutive floats. A view of floats cast to it (<c>view.Cast&lt;Float4&gt;()</c>, 16-byte
/// aligned) is read with one 128-bit instruction on GPUs (PTX <c>ld.shared.v4.f32</c>, SASS
/// <c>LDS.128</c>) instead of four 32-bit ones: ILGPU's shared allocations are 16-byte aligned.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct Float4
{
    public float X, Y, Z, W;
}
