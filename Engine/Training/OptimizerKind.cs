namespace IlgpuLstm;

/// <summary>The update rule, with PyTorch's semantics and defaults (see <see cref="OptimizerSettings"/>).</summary>
public enum OptimizerKind
{
    /// <summary><c>torch.optim.Adam</c> (the lesson's).</summary>
    Adam,
    /// <summary><c>torch.optim.SGD</c>, with optional momentum and Nesterov.</summary>
    Sgd,
    /// <summary><c>torch.optim.RMSprop</c> (char-rnn's).</summary>
    RmsProp,
}
