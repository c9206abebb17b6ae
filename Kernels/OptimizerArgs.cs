namespace IlgpuLstm.Kernels;

/// <summary>
/// Per-step scalars of the optimizer kernels, computed on the host in float64 as PyTorch does
/// (bias corrections are Python floats there) and passed by value: no device copy per step.
/// </summary>
internal readonly struct OptimizerArgs
{
    public OptimizerArgs(float lr, float beta1, float beta2, float eps, float weightDecay,
        float stepSize, float biasCorrection2Sqrt, float momentum, int nesterov)
    {
        Lr = lr; Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
        StepSize = stepSize; BiasCorrection2Sqrt = biasCorrection2Sqrt; Momentum = momentum; Nesterov = nesterov;
    }

    public float Lr { get; }
    /// <summary>Adam β1; unused elsewhere.</summary>
    public float Beta1 { get; }
    /// <summary>Adam β2, or RMSprop's smoothing constant α.</summary>
    public float Beta2 { get; }
    public float Eps { get; }
    public float WeightDecay { get; }
    /// <summary>Adam: lr / (1 - β1^t).</summary>
    public float StepSize { get; }
    /// <summary>Adam: sqrt(1 - β2^t).</summary>
    public float BiasCorrection2Sqrt { get; }
    public float Momentum { get; }
    public int Nesterov { get; }
}
