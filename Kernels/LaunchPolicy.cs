using ILGPU.Runtime;

namespace IlgpuLstm.Kernels;

/// <summary>Which GEMM version runs on an accelerator.</summary>
public enum GemmVersion
{
    /// <summary><see cref="Gemm.RowBlock"/>: no shared memory; the fastest kernel on the CPU accelerator.</summary>
    RowBlock,
    /// <summary><see cref="Gemm.Tiled"/>: shared-memory tiles, one output per thread.</summary>
    Tiled,
    /// <summary><see cref="Gemm.TiledBlocked"/>: shared-memory tiles, 4x4 outputs per thread; the GPU choice.</summary>
    TiledBlocked,
    /// <summary>
    /// Not a kernel: SIMD host code over the CPU accelerator's memory (Engine's HostGemm), the CPU
    /// choice, because ILGPU's CPU accelerator runs scalar kernels at 1-2 GFLOP/s. CPU only.
    /// </summary>
    HostVector,
}

/// <summary>
/// The one place where kernel versions and launch settings are chosen per accelerator.
/// ILGPU's CPU accelerator runs every thread of a group as an OS thread meeting at barriers, so
/// there implicitly grouped kernels use groups of one thread and GEMM, where nearly all the time
/// goes, runs as vectorized host code over the accelerator's (host) memory (shared/ILGPU-NOTES.md
/// §1-2: 20-45 GFLOP/s against 1-2 for a scalar kernel); GPUs get full groups and the tiled GEMM.
/// </summary>
/// <param name="FusedStep">
/// Whether the forward time step runs as the one fused kernel (<see cref="RecurrentStep"/>): on
/// GPUs; the CPU accelerator runs GEMM (host code) and the cell kernel instead.
/// </param>
public sealed record LaunchPolicy(int GroupSize, GemmVersion Gemm, int GemmTile, int ReductionPartials, bool FusedStep = false)
{
    /// <summary>Largest tile edge the tiled GEMM uses on a GPU.</summary>
    public const int MaxGemmTile = 16;

    public static LaunchPolicy For(Accelerator accelerator)
    {
        int tile = TileFor(accelerator.MaxNumThreadsPerGroup);
        return accelerator.AcceleratorType == AcceleratorType.CPU
            ? new LaunchPolicy(1, GemmVersion.HostVector, tile, 64)
            : new LaunchPolicy(Math.Min(256, accelerator.MaxNumThreadsPerGroup), GemmVersion.TiledBlocked, tile, 4096,
                FusedStep: true);
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
