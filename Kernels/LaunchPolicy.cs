using ILGPU.Runtime;

namespace IlgpuLstm.Kernels;

/// <summary>Which GEMM version runs on an accelerator.</summary>
internal enum GemmVersion
{
    /// <summary><see cref="Gemm.RowBlock"/>: no shared memory; the fastest kernel on the CPU accelerator.</summary>
    RowBlock,
    /// <summary><see cref="Gemm.Tiled"/>: shared-memory tiles, one output per thread.</summary>
    Tiled,
    /// <summary><see cref="Gemm.TiledBlocked"/>: shared-memory tiles, 4x4 outputs per thread; the GPU choice.</summary>
    TiledBlocked,
    /// <summary><see cref="Gemm.TiledBlockedSplit"/> then <see cref="Gemm.SumSplits"/>: the blocked kernel split along K, for products with too few output blocks to fill a GPU.</summary>
    TiledBlockedSplit,
}

/// <summary>
/// The one place where kernel versions and launch settings are chosen per accelerator.
/// ILGPU's CPU accelerator runs every thread of a group as an OS thread meeting at barriers, so
/// there implicitly grouped kernels use groups of one thread and GEMM is the row-block kernel,
/// which needs no shared memory (docs/ILGPU-NOTES.md §1); GPUs get full groups and the tiled GEMM.
/// The CPU accelerator exists to run these very kernels in tests: training on a CPU is the host
/// path's job (Engine/Ops/Host), never this policy's.
/// </summary>
/// <param name="FusedStep">
/// Whether the forward time step runs as the one fused kernel (<see cref="RecurrentStep"/>): on
/// GPUs; the CPU accelerator runs the GEMM kernel and the cell kernel instead.
/// </param>
/// <param name="Multiprocessors">The device's multiprocessors (SMs, compute units): GEMM versions are chosen to fill them.</param>
internal sealed record LaunchPolicy(int GroupSize, GemmVersion Gemm, int GemmTile, int ReductionPartials, bool FusedStep = false,
    int Multiprocessors = 1)
{
    /// <summary>
    /// The GEMM version for one problem: <see cref="Gemm"/>, except that a register-blocked GEMM
    /// whose (tile·4)² blocks would leave multiprocessors idle (fewer groups than SMs, as the
    /// lesson's 128 x 2,048 per-step products make 64 groups for an H100's 132 SMs) runs as the
    /// plain tiled kernel, whose tile² blocks make 16 times as many groups. A function of the
    /// shape and the device only, so results stay the same run to run.
    /// </summary>
    public GemmVersion GemmFor(int m, int n)
    {
        if (Gemm != GemmVersion.TiledBlocked) return Gemm;
        long Groups(int block) => (long)((m + block - 1) / block) * ((n + block - 1) / block);
        return Groups(GemmTile * Kernels.Gemm.Reach) < Multiprocessors ? GemmVersion.Tiled : Gemm;
    }

    /// <summary>
    /// <see cref="GemmFor(int, int)"/> knowing K: where the blocked kernel's blocks would leave
    /// multiprocessors idle and K holds at least two splits of <see cref="MinSplitDepth"/>, the
    /// blocked kernel split along K (<see cref="Splits"/>) instead of the plain tiled one, which
    /// reads four times as much shared memory per FMA.
    /// </summary>
    public GemmVersion GemmFor(int m, int n, int k)
    {
        var version = GemmFor(m, n);
        return version == GemmVersion.Tiled && Gemm == GemmVersion.TiledBlocked && Splits(m, n, k) >= 2 ? GemmVersion.TiledBlockedSplit : version;
    }

    /// <summary>K-depth each split gets at least: enough tiles that the split's sum, not its loads, is the work.</summary>
    public const int MinSplitDepth = 256;

    /// <summary>
    /// Splits of K for <see cref="GemmVersion.TiledBlockedSplit"/>: enough groups to give every
    /// multiprocessor one, with at least <see cref="MinSplitDepth"/> of K each; a function of the shape and device only.
    /// </summary>
    public int Splits(int m, int n, int k)
    {
        int block = GemmTile * Kernels.Gemm.Reach;
        long groups = (long)((m + block - 1) / block) * ((n + block - 1) / block);
        long wanted = (Multiprocessors + groups - 1) / groups;
        return (int)Math.Max(1, Math.Min(wanted, k / MinSplitDepth));
    }

    /// <summary>Groups a GEMM of this shape launches with a version (for bench kernels' groups per SM).</summary>
    public long GemmGroups(GemmVersion version, int m, int n)
    {
        int block = version is GemmVersion.TiledBlocked or GemmVersion.TiledBlockedSplit ? GemmTile * Kernels.Gemm.Reach : GemmTile;
        return version is GemmVersion.Tiled or GemmVersion.TiledBlocked or GemmVersion.TiledBlockedSplit
            ? (long)((m + block - 1) / block) * ((n + block - 1) / block) : 0;
    }

    /// <summary>Largest tile edge the tiled GEMM uses on a GPU.</summary>
    public const int MaxGemmTile = 16;

    public static LaunchPolicy For(Accelerator accelerator)
    {
        int tile = TileFor(accelerator.MaxNumThreadsPerGroup);
        return accelerator.AcceleratorType == AcceleratorType.CPU
            ? new LaunchPolicy(1, GemmVersion.RowBlock, tile, 64)
            : new LaunchPolicy(Math.Min(256, accelerator.MaxNumThreadsPerGroup), GemmVersion.TiledBlocked, tile, 4096,
                FusedStep: true, Multiprocessors: Math.Max(1, accelerator.NumMultiprocessors));
    }

    /// <summary>Largest power-of-two edge whose square fits in one group, at most <see cref="MaxGemmTile"/>.</summary>
    public static int TileFor(int maxThreadsPerGroup)
    {
        int tile = 1;
        while (tile * 2 <= MaxGemmTile && (tile * 2) * (tile * 2) <= maxThreadsPerGroup)
            tile *= 2;
        return tile;
    }
}
