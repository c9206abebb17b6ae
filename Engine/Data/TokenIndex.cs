namespace IlgpuLstm.Engine.Data;

/// <summary>
/// Where each token occurs in a batch: the rows sorted by token, in increasing row order within a
/// token (a counting sort), then the start of each token's run and one past the last (vocab + 1
/// offsets). Built on the host with the batch and uploaded with it, it lets the one-hot backward
/// give each (gate row, token) its own GPU thread that adds that token's rows in a fixed order.
/// Layout of the int buffer: [order (rows) | starts (vocab + 1)].
/// </summary>
internal static class TokenIndex
{
    public static int Length(int rows, int vocab) => rows + vocab + 1;

    public static void Build(ReadOnlySpan<int> tokens, int vocab, Span<int> index)
    {
        int rows = tokens.Length;
        var order = index[..rows];
        var starts = index.Slice(rows, vocab + 1);
        starts.Clear();
        foreach (int t in tokens) starts[t + 1]++;
        for (int v = 0; v < vocab; v++) starts[v + 1] += starts[v];
        // starts[v] is now where token v's rows begin; fill in row order, using order as cursors' target.
        Span<int> next = vocab <= 1024 ? stackalloc int[vocab] : new int[vocab];
        starts[..vocab].CopyTo(next);
        for (int r = 0; r < rows; r++) order[next[tokens[r]]++] = r;
    }
}
