using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Tensors;

/// <summary>
/// PyTorch's default initialisation for the layers we have: every RNN/GRU/LSTM weight and bias
/// U(-1/sqrt(H), 1/sqrt(H)); Linear weight and bias U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform
/// with a = sqrt(5) reduces to that bound). The numbers come from Philox keyed by the seed, so a
/// seed gives the same model on every machine and .NET version.
/// </summary>
internal static class Initializer
{
    /// <summary>Philox stream reserved for initialisation (dropout uses small step-based streams).</summary>
    private const uint InitStream = 0x1A17_0000;

    /// <summary>Fills a host array laid out as <paramref name="layout"/>; bounds come from <paramref name="boundOf"/>.</summary>
    public static float[] Uniform(ParameterLayout layout, Func<ParameterSpec, double> boundOf, ulong seed)
    {
        var values = new float[layout.Count];
        foreach (var spec in layout.Specs)
        {
            float bound = (float)boundOf(spec);
            for (long i = 0; i < spec.Length; i++)
            {
                long index = spec.Offset + i;
                uint bits = Philox.Generate((uint)index, (uint)(index >> 32), InitStream, 0, (uint)seed, (uint)(seed >> 32));
                values[index] = (Philox.ToUnitFloat(bits) * 2f - 1f) * bound;
            }
        }
        return values;
    }
}
