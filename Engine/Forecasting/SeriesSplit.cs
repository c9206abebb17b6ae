namespace IlgpuLstm.Engine.Forecasting;

/// <summary>
/// The split by time: train, then validation, then test, each a contiguous run of rows, never
/// shuffled across. A forecast origin belongs to a split when its row and all
/// <see cref="Horizon"/> rows it forecasts lie inside that split.
/// </summary>
internal sealed record SeriesSplit(int Rows, int TrainEnd, int ValidationEnd, int Horizon)
{
    public static SeriesSplit Of(int rows, double valFrac, double testFrac, int horizon)
    {
        if (!(testFrac > 0 && testFrac < 1)) throw new OptionOutOfRangeException("TestFrac", $"the test fraction must be in (0, 1), got {testFrac}");
        if (!(valFrac >= 0 && valFrac + testFrac < 1)) throw new OptionOutOfRangeException("ValFrac", $"the validation fraction must be in [0, 1 - test fraction), got {valFrac}");
        int test = (int)Math.Round(testFrac * rows), validation = (int)Math.Round(valFrac * rows);
        return new SeriesSplit(rows, rows - test - validation, rows - test, horizon);
    }

    public (int From, int To) TrainOrigins => (0, TrainEnd - Horizon);
    public (int From, int To) ValidationOrigins => (TrainEnd, ValidationEnd - Horizon);
    public (int From, int To) TestOrigins => (ValidationEnd, Rows - Horizon);

    public int Count((int From, int To) origins) => Math.Max(0, origins.To - origins.From);
}
