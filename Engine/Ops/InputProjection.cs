using ILGPU;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Engine.Ops;

/// <summary>
/// A layer's input with its W_ih (G x width) and b_ih, for an operation that projects it itself:
/// token ids as <see cref="IOps.OneHotForward"/> takes them, or dense rows (T·B x width) as the
/// GEMM x·W_ihᵀ + b_ih takes them; time-major, row t·B + b.
/// </summary>
internal readonly record struct InputProjection(RecurrentInput Input, ArrayView<float> WeightIh, ArrayView<float> BiasIh);
