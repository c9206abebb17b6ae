using ILGPU;

namespace IlgpuLstm.Engine.Ops;

/// <summary>A first layer's token ids (with their index) and the gradient of its W_ih (G x vocab), as <see cref="IOps.OneHotBackward"/> takes them.</summary>
internal readonly record struct OneHotGradient(ArrayView<int> Tokens, ArrayView<int> Index, ArrayView<float> WeightIh, int Vocab);
