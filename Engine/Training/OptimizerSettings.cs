namespace IlgpuLstm;

/// <summary>
/// Optimizer hyper-parameters with PyTorch's defaults (Adam β 0.9/0.999, eps 1e-8; RMSprop α 0.99,
/// eps 1e-8; SGD momentum 0 unless set).
/// </summary>
public sealed record OptimizerSettings(OptimizerKind Kind, double LearningRate, double Beta1 = 0.9,
    double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0, double Momentum = 0, bool Nesterov = false,
    double Alpha = 0.99);
