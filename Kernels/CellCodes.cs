namespace IlgpuLstm.Kernels;

/// <summary>
/// The one numbering of the recurrent cells. Kernels take it as an int (the fused step branches
/// on it); the engine's <c>CellKind</c> enum takes its values from here, so nothing maps between two.
/// </summary>
internal static class CellCodes
{
    public const int Lstm = 0, Gru = 1, Rnn = 2;

    /// <summary>Gates stacked in weight_ih / weight_hh: 4 for LSTM, 3 for GRU, 1 for RNN.</summary>
    public static int Gates(int cell) => cell == Lstm ? 4 : cell == Gru ? 3 : 1;
}
