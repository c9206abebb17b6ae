using IlgpuLstm.Kernels;

namespace IlgpuLstm.References;

/// <summary>
/// Host twin of Kernels.Dropout. Philox itself is checked against Random123's published
/// known-answer vectors, so sharing it here does not make the kernel test circular.
/// </summary>
public static class DropoutReference
{
    public static double[] Mask(int count, ulong seed, ulong stream, double probability)
    {
        var mask = new double[count];
        float scale = 1f / (1f - (float)probability);
        for (int i = 0; i < count; i++)
        {
            uint bits = Philox.Generate((uint)i, (uint)stream, (uint)(stream >> 32), 0, (uint)seed, (uint)(seed >> 32));
            mask[i] = Philox.ToUnitFloat(bits) >= probability ? scale : 0;
        }
        return mask;
    }
}
