using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Inverted dropout with a counter-based mask: element i of call <c>stream</c> keeps its value
/// when <c>Philox(counter = (i, stream), key = seed)</c> maps to u ≥ p, and is scaled by 1/(1-p).
/// The mask (0 or 1/(1-p)) is stored so backward is one multiply.
/// </summary>
internal static class Dropout
{
    public static void Forward(Index1D i, ArrayView<float> input, ArrayView<float> output, ArrayView<float> mask,
        DropoutArgs a)
    {
        uint bits = Philox.Generate((uint)i.X, a.StreamLo, a.StreamHi, 0u, a.SeedLo, a.SeedHi);
        float keep = Philox.ToUnitFloat(bits) >= a.Probability ? a.Scale : 0f;
        mask[i] = keep;
        output[i] = input[i] * keep;
    }

    /// <summary>dInput = dOutput * mask; may run in place.</summary>
    public static void Backward(Index1D i, ArrayView<float> dOutput, ArrayView<float> mask, ArrayView<float> dInput) =>
        dInput[i] = dOutput[i] * mask[i];
}
