namespace IlgpuLstm;

/// <summary>
/// Optimizer hyper-parameters with PyTorch's defaults (Adam β 0.9/0.999, eps 1e-8; RMSprop α 0.99,
/// eps 1e-8; SGD momentum 0 unless set).
/// </summary>
/// <param name="Kind">Adam, SGD or RMSprop.</param>
/// <param name="LearningRate">The learning rate.</param>
/// <param name="Beta1">Adam's first-moment decay.</param>
/// <param name="Beta2">Adam's second-moment decay.</param>
/// <param name="Eps">Added to the denominator (Adam, RMSprop).</param>
/// <param name="WeightDecay">L2 penalty added to the gradient, as PyTorch's weight_decay (0: off).</param>
/// <param name="Momentum">SGD's and RMSprop's momentum.</param>
/// <param name="Nesterov">Nesterov momentum for SGD.</param>
/// <param name="Alpha">RMSprop's smoothing constant.</param>
public sealed record OptimizerSettings(OptimizerKind Kind, double LearningRate, double Beta1 = 0.9,
    double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0, double Momentum = 0, bool Nesterov = false,
    double Alpha = 0.99);
