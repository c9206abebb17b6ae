using ILGPU;

namespace IlgpuLstm.Engine.Ops;

/// <summary>
/// A first layer's one-hot input as <see cref="IOps.OneHotForward"/> takes it: token ids (row
/// t·B + b), W_ih (G x vocab) and b_ih, for an operation that projects them itself.
/// </summary>
internal readonly record struct TokenProjection(ArrayView<int> Tokens, ArrayView<float> WeightIh, ArrayView<float> BiasIh,
    int Vocab);
