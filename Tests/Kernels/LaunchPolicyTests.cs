using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>The GEMM version per problem: register-blocked unless its blocks would leave multiprocessors idle.</summary>
public sealed class LaunchPolicyTests
{
    private static readonly LaunchPolicy H100Like = new(256, GemmVersion.TiledBlocked, 16, 4096, FusedStep: true, Multiprocessors: 132);

    [Fact]
    public void SmallProductsThatWouldIdleTheSmsUseTheTiledKernel()
    {
        // The lesson's per-step dh GEMM, 128 x 512: 2 x 8 = 16 blocks of 64 for 132 SMs.
        Assert.Equal(GemmVersion.Tiled, H100Like.GemmFor(128, 512));
        Assert.Equal(16, H100Like.GemmGroups(GemmVersion.TiledBlocked, 128, 512));
        Assert.Equal(256, H100Like.GemmGroups(GemmVersion.Tiled, 128, 512));
        // The input projection, 12,800 x 2,048: 200 x 32 blocks, plenty.
        Assert.Equal(GemmVersion.TiledBlocked, H100Like.GemmFor(12800, 2048));
        // Knowing K: the blocked kernel split along K where K holds two splits of 256 or more.
        Assert.Equal(GemmVersion.TiledBlockedSplit, H100Like.GemmFor(128, 512, 2048));
        Assert.Equal(8, H100Like.Splits(128, 512, 2048)); // 9 would give every SM a group; 2,048 / 256 allows 8
        Assert.Equal(GemmVersion.Tiled, H100Like.GemmFor(128, 512, 300));
        Assert.Equal(GemmVersion.TiledBlocked, H100Like.GemmFor(12800, 2048, 512));
        Assert.Equal(1, H100Like.Splits(12800, 2048, 12800));
        // Other policies keep their choice.
        Assert.Equal(GemmVersion.RowBlock, (H100Like with { Gemm = GemmVersion.RowBlock }).GemmFor(1, 1));
    }
}
