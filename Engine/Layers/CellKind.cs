namespace IlgpuLstm;

/// <summary>The recurrent cells, with PyTorch's gate stacking (LSTM i,f,g,o; GRU r,z,n; RNN tanh).</summary>
public enum CellKind
{
    /// <summary>Long short-term memory (<c>nn.LSTM</c>).</summary>
    Lstm = Kernels.CellCodes.Lstm,
    /// <summary>Gated recurrent unit (<c>nn.GRU</c>).</summary>
    Gru = Kernels.CellCodes.Gru,
    /// <summary>Elman RNN with tanh (<c>nn.RNN</c>).</summary>
    Rnn = Kernels.CellCodes.Rnn,
}

internal static class CellKindExtensions
{
    /// <summary>Gates stacked in weight_ih / weight_hh: 4 for LSTM, 3 for GRU, 1 for RNN.</summary>
    public static int Gates(this CellKind cell) => Kernels.CellCodes.Gates((int)cell);

    /// <summary>PyTorch's module name in the lesson's model, the prefix of checkpoint keys.</summary>
    public static string ModuleName(this CellKind cell) => cell switch
    {
        CellKind.Lstm => "lstm",
        CellKind.Gru => "gru",
        _ => "rnn",
    };

    public static bool TryParse(string text, out CellKind cell)
    {
        switch (text.ToLowerInvariant())
        {
            case "lstm": cell = CellKind.Lstm; return true;
            case "gru": cell = CellKind.Gru; return true;
            case "rnn": cell = CellKind.Rnn; return true;
            default: cell = default; return false;
        }
    }
}
