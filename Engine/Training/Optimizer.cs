using ILGPU;
using IlgpuLstm.Engine.Ops;
using IlgpuLstm.Engine.Tensors;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// Applies one optimizer step to the whole flat parameter buffer with one kernel, taking the
/// gradient clip factor from a device scalar. The step count is the only state on the host;
/// moments live in the store's moment buffers (Adam m, v; SGD momentum; RMSprop square average).
/// </summary>
internal sealed class Optimizer(IOps ops, ParameterStore store, OptimizerSettings settings)
{
    public OptimizerSettings Settings => settings;

    /// <summary>Steps taken so far (PyTorch's <c>state['step']</c>).</summary>
    public long StepCount { get; set; }

    /// <summary>Multiplies the learning rate (a decay schedule); 1 keeps the settings' rate.</summary>
    public double LearningRateScale { get; set; } = 1;

    /// <summary>The learning rate the next step uses.</summary>
    public double LearningRate => settings.LearningRate * LearningRateScale;

    public void Step(ArrayView<float> scalars, int clipSlot)
    {
        StepCount++;
        store.MarkChanged();
        var s = settings with { LearningRate = LearningRate };
        switch (s.Kind)
        {
            case OptimizerKind.Adam:
                // PyTorch computes the bias corrections as Python floats (float64).
                double bc1 = 1 - Math.Pow(s.Beta1, StepCount);
                double bc2 = 1 - Math.Pow(s.Beta2, StepCount);
                ops.Adam(store.Parameters, store.Gradients, store.Moment1, store.Moment2, scalars, clipSlot,
                    new OptimizerArgs(lr: (float)s.LearningRate, beta1: (float)s.Beta1, beta2: (float)s.Beta2, eps: (float)s.Eps,
                        weightDecay: (float)s.WeightDecay, stepSize: (float)(s.LearningRate / bc1),
                        biasCorrection2Sqrt: (float)Math.Sqrt(bc2), momentum: 0f, nesterov: 0),
                    store.Count);
                break;
            case OptimizerKind.Sgd:
                ops.Sgd(store.Parameters, store.Gradients, store.Moment1, scalars, clipSlot,
                    new OptimizerArgs(lr: (float)s.LearningRate, beta1: 0f, beta2: 0f, eps: 0f, weightDecay: (float)s.WeightDecay,
                        stepSize: 0f, biasCorrection2Sqrt: 1f, momentum: (float)s.Momentum, nesterov: s.Nesterov ? 1 : 0),
                    store.Count);
                break;
            default:
                ops.RmsProp(store.Parameters, store.Gradients, store.Moment1, scalars, clipSlot,
                    new OptimizerArgs(lr: (float)s.LearningRate, beta1: 0f, beta2: (float)s.Alpha, eps: (float)s.Eps,
                        weightDecay: (float)s.WeightDecay, stepSize: 0f, biasCorrection2Sqrt: 1f, momentum: 0f, nesterov: 0),
                    store.Count);
                break;
        }
    }
}
