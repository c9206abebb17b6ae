namespace IlgpuLstm.Engine.Device;

/// <summary>
/// Warps a multiprocessor can keep resident for a kernel, from NVIDIA's published limits (the
/// CUDA occupancy calculator's rules): 64 warps, 32 groups and 65,536 registers a multiprocessor,
/// registers allotted 256 at a time per warp, 1 KB of shared memory reserved per group.
/// </summary>
internal sealed record GpuLimits(string Name, string Architecture, int Multiprocessors, int SharedBytesPerSm, double PeakFp32Tflops,
    double MemoryTBps)
{
    /// <summary>A100 SXM (sm_80): 108 SMs, 164 KB shared a multiprocessor, 19.5 TFLOP/s FP32, 2.0 TB/s.</summary>
    public static GpuLimits A100 { get; } = new("A100 SXM", "sm_80", 108, 164 * 1024, 19.5, 2.04);

    /// <summary>H100 SXM (sm_90): 132 SMs, 228 KB shared a multiprocessor, 67 TFLOP/s FP32 (non-tensor), 3.35 TB/s.</summary>
    public static GpuLimits H100 { get; } = new("H100 SXM", "sm_90", 132, 228 * 1024, 66.9, 3.35);

    private const int MaxWarps = 64, MaxGroups = 32, Registers = 65536, RegisterUnit = 256, ReservedShared = 1024;

    /// <summary>Groups resident per multiprocessor and the fraction of its 64 warp slots they fill.</summary>
    public (int Groups, double Occupancy, string Limit) Occupancy(int threadsPerGroup, int registers, int sharedBytes)
    {
        int warps = (threadsPerGroup + 31) / 32;
        int perWarp = (Math.Max(registers, 1) * 32 + RegisterUnit - 1) / RegisterUnit * RegisterUnit;
        int byRegisters = Registers / perWarp / warps;
        int byShared = sharedBytes == 0 ? MaxGroups : SharedBytesPerSm / (sharedBytes + ReservedShared);
        int byWarps = MaxWarps / warps;
        int groups = Math.Min(Math.Min(byRegisters, byShared), Math.Min(byWarps, MaxGroups));
        string limit = groups == byRegisters ? "registers" : groups == byShared ? "shared memory" : groups == byWarps ? "warps" : "groups";
        return (groups, (double)groups * warps / MaxWarps, limit);
    }
}
