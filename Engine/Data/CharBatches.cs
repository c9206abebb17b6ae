namespace IlgpuLstm.Engine.Data;

/// <summary>
/// The lesson's <c>get_batches(arr, N, K)</c>: trim the text to a multiple of N·K, lay it out as N
/// contiguous rows, and walk the columns in windows of K. y is x shifted left by one; its last
/// column is the first character of the next window in the same row, or, in the final window,
/// the row's own first character (the lesson's IndexError branch). Batches are batch-major
/// (row b·K + t) into arrays reused across calls.
/// </summary>
internal sealed class CharBatches
{
    private readonly TokenSequence data;
    private readonly int rowLength;

    public CharBatches(TokenSequence data, int batchSize, int seqLength, string splitName)
    {
        if (batchSize < 1) throw new OptionOutOfRangeException("BatchSize", $"BatchSize must be at least 1, got {batchSize}");
        if (seqLength < 1) throw new OptionOutOfRangeException("SeqLength", $"SeqLength must be at least 1, got {seqLength}");
        long perBatch = (long)batchSize * seqLength;
        Count = (int)(data.Length / perBatch);
        if (Count == 0)
            throw new EngineException($"the {splitName} split has {data.Length} character{(data.Length == 1 ? "" : "s")}, fewer than one batch " +
                $"(BatchSize {batchSize} x SeqLength {seqLength} = {perBatch}); use a longer corpus or smaller sizes" +
                (splitName == "validation" ? ", a larger ValFrac, or ValFrac 0 to train without validation" : ""));
        this.data = data;
        BatchSize = batchSize;
        SeqLength = seqLength;
        rowLength = Count * seqLength;
        Dropped = data.Length - Count * perBatch;
    }

    public int BatchSize { get; }
    public int SeqLength { get; }
    /// <summary>Batches per pass over the split.</summary>
    public int Count { get; }
    /// <summary>Characters trimmed off the end.</summary>
    public long Dropped { get; }

    /// <summary>Fills x and y (N·K each, batch-major) with batch <paramref name="index"/>.</summary>
    public void Fill(int index, int[] x, int[] y)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index));
        int n = BatchSize, k = SeqLength, start = index * k;
        for (int r = 0; r < n; r++)
        {
            int row = r * rowLength;
            for (int t = 0; t < k; t++)
                x[r * k + t] = data[row + start + t];
            for (int t = 0; t < k - 1; t++)
                y[r * k + t] = x[r * k + t + 1];
            y[r * k + k - 1] = start + k < rowLength ? data[row + start + k] : data[row];
        }
    }
}
