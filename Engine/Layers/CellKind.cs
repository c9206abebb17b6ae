namespace IlgpuLstm.Engine.Layers;

/// <summary>The recurrent cells, with PyTorch's gate stacking (LSTM i,f,g,o; GRU r,z,n; RNN tanh).</summary>
public enum CellKind
{
    Lstm,
    Gru,
    Rnn,
}

public static class CellKindExtensions
{
    /// <summary>Gates stacked in weight_ih / weight_hh: 4 for LSTM, 3 for GRU, 1 for RNN.</summary>
    public static int Gates(this CellKind cell) => cell switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => 1,
    };

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
