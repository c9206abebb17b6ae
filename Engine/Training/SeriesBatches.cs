namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The lesson's batching for a series: the training origins cut into <see cref="Streams"/>
/// contiguous streams, each read <see cref="Window"/> rows a step, so row t of a stream follows
/// row t - 1 of the step before and the hidden state carries over; a new epoch starts every stream
/// again from a zero state. Rows that do not fill a whole window of every stream are left out.
/// </summary>
internal sealed class SeriesBatches
{
    private readonly float[] inputs, targets;

    public SeriesBatches(float[] inputs, float[] targets, int origins, int streams, int window, int inputSize, int outputSize)
    {
        this.inputs = inputs;
        this.targets = targets;
        Streams = streams;
        Window = window;
        InputSize = inputSize;
        OutputSize = outputSize;
        StreamLength = origins / streams;
        if (StreamLength / window < 1)
            throw new UsageException($"the training split has {origins} forecast origins, fewer than one batch of {streams} stream(s) x " +
                $"window {window} = {streams * window}; use a longer series, a smaller batch or a shorter window");
    }

    public int Streams { get; }
    public int Window { get; }
    public int InputSize { get; }
    public int OutputSize { get; }
    public int StreamLength { get; }
    public int ChunksPerEpoch => StreamLength / Window;

    /// <summary>Fills batch-first (stream, t, ·) inputs and targets of chunk <paramref name="chunk"/>.</summary>
    public void Fill(int chunk, float[] x, float[] y)
    {
        for (int b = 0; b < Streams; b++)
        {
            long row = (long)b * StreamLength + (long)chunk * Window;
            Array.Copy(inputs, row * InputSize, x, (long)b * Window * InputSize, (long)Window * InputSize);
            Array.Copy(targets, row * OutputSize, y, (long)b * Window * OutputSize, (long)Window * OutputSize);
        }
    }
}
