namespace IlgpuLstm.Cli.Bench;

/// <summary>A model/batch shape the benchmarks run at.</summary>
internal sealed record BenchShape(string Name, int Batch, int Steps, int Hidden, int Vocab, int Layers, float Dropout = 0.5f)
{
    public void Validate()
    {
        if (Batch < 1 || Steps < 1 || Hidden < 1 || Layers < 1)
            throw new EngineException("--batch-size, --seq-length, --hidden-size and --num-layers must be positive");
        if (Dropout is < 0f or >= 1f)
            throw new EngineException($"--dropout must be in [0, 1), got {Dropout}");
    }

    /// <summary>The Anna Karenina lesson: batch 128, seq 100, 2 x 512, vocab 83.</summary>
    public static BenchShape Lesson { get; } = new("lesson", 128, 100, 512, 83, 2);

    /// <summary>The CPU default of <c>train</c>: small enough for the CPU accelerator.</summary>
    public static BenchShape Small { get; } = new("small", 32, 50, 128, 83, 2);

    /// <summary>LSTM + Linear parameter count, as PyTorch counts it (both biases).</summary>
    public long Parameters
    {
        get
        {
            long p = 0;
            for (int l = 0; l < Layers; l++)
            {
                int input = l == 0 ? Vocab : Hidden;
                p += 4L * Hidden * (input + Hidden + 2);
            }
            return p + (long)Vocab * Hidden + Vocab;
        }
    }
}
