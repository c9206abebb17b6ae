using ILGPU;

namespace IlgpuLstm.Engine.Layers;

/// <summary>
/// The first layer's input, time-major (row t*B + b): token ids, projected as one-hot by a
/// column gather, with their <see cref="Data.TokenIndex"/> for the backward pass, or dense
/// features of a given width (the time-series lesson's one value a step).
/// </summary>
internal readonly record struct RecurrentInput(ArrayView<int> Tokens, ArrayView<int> TokenIndex, ArrayView<float> Dense,
    int Width, bool IsTokens)
{
    public static RecurrentInput FromTokens(ArrayView<int> tokens, ArrayView<int> index, int vocab) =>
        new(tokens, index, default, vocab, true);

    public static RecurrentInput FromDense(ArrayView<float> values, int width) => new(default, default, values, width, false);
}
