namespace IlgpuLstm.Kernels;

/// <summary>Seed (64 bits), call counter (64 bits) and probability of one dropout launch.</summary>
internal readonly struct DropoutArgs
{
    public DropoutArgs(ulong seed, ulong stream, float probability)
    {
        SeedLo = (uint)seed; SeedHi = (uint)(seed >> 32);
        StreamLo = (uint)stream; StreamHi = (uint)(stream >> 32);
        Probability = probability;
        Scale = probability < 1f ? 1f / (1f - probability) : 0f;
    }

    public uint SeedLo { get; }
    public uint SeedHi { get; }
    public uint StreamLo { get; }
    public uint StreamHi { get; }
    public float Probability { get; }
    public float Scale { get; }
}
