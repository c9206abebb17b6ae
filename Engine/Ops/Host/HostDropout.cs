using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// The dropout mask of <see cref="Dropout.Forward"/> on the host: element i keeps (mask 1/(1-p))
/// when Philox(counter = (i, stream), key = seed) maps to u ≥ p, the very draws every
/// accelerator makes, so a seed drops the same units on the host path as on a GPU.
/// </summary>
public static unsafe class HostDropout
{
    public static void Mask(DropoutArgs a, int start, int end, float* mask)
    {
        for (int i = start; i < end; i++)
        {
            uint bits = Philox.Generate((uint)i, a.StreamLo, a.StreamHi, 0u, a.SeedLo, a.SeedHi);
            mask[i] = Philox.ToUnitFloat(bits) >= a.Probability ? a.Scale : 0f;
        }
    }
}
