using ILGPU.Runtime.Cuda;
using IlgpuLstm.Cli.Bench;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Engine;

/// <summary>Reading SASS (instruction mix, hot loop), occupancy from NVIDIA's limits, and the lesson step's GPU model.</summary>
public sealed class SassTests
{
    // Two loops: an outer one around an inner one with the FFMAs; a branch forward is no loop.
    private const string Listing = """
                Function : k
            /*0000*/                   LDC R1, c[0x0][0x28] ;
            /*0010*/                   LD.E R2, [R4.64] ;
            /*0020*/                   LDG.E.128 R8, [R6.64] ;
            /*0030*/                   STS [R0], R2 ;
            /*0040*/                   BAR.SYNC.DEFER_BLOCKING 0x0 ;
            /*0050*/                   LDS.128 R12, [R3] ;
            /*0060*/                   LDS R16, [R3+0x40] ;
            /*0070*/                   FFMA R20, R12, R16, R20 ;
            /*0080*/                   FFMA R21, R13, R16, R21 ;
            /*0090*/                   FFMA R22, R14, R16, R22 ;
            /*00a0*/                   FFMA R23, R15, R16, R23 ;
            /*00b0*/              @P0 BRA 0x50 ;
            /*00c0*/              @!P1 BRA 0x10 ;
            /*00d0*/                   BRA 0xf0 ;
            /*00e0*/                   MUFU.EX2 R1, R2 ;
            /*00f0*/                   ST.E [R4.64], R20 ;
            /*0100*/                   EXIT ;
            /*0110*/                   NOP;
            """;

    [Fact]
    public void TheMixAndTheHotLoopAreReadFromTheListing()
    {
        var code = Sass.Parse(Listing);
        Assert.Equal(18, code.Count);
        var whole = Sass.MixOf(code);
        Assert.Equal(17, whole.Instructions); // NOP is padding
        Assert.Equal(4, whole.Ffma);
        Assert.Equal((2, 5), (whole.SharedLoads, whole.SharedLoadWords));
        Assert.Equal((2, 1, 5), (whole.GlobalLoads, whole.GenericLoads, whole.GlobalLoadWords));
        Assert.Equal((1, 1, 1, 1), (whole.SharedStores, whole.Stores, whole.Barriers, whole.Mufu));
        Assert.Equal(80, whole.GlobalLoadBits);

        var hot = Sass.HotLoop(code)!;
        Assert.Equal([0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0], hot.Select(i => i.Address));
        var mix = Sass.MixOf(hot);
        Assert.Equal(0.5, mix.SharedLoadsPerFfma);
        Assert.Equal(80, mix.SharedLoadBits);
        Assert.Equal(0.75, mix.SharedCyclesPerFfma); // the LDS.128 takes two cycles, the 32-bit one one
        Assert.Null(Sass.HotLoop(Sass.Parse("/*0000*/ FFMA R1, R2, R3, R4 ;\n/*0010*/ EXIT ;")));
    }

    [Theory]
    [InlineData(38, 8256, 6, "registers")]  // the register-blocked GEMM: 1,280 registers a warp
    [InlineData(255, 0, 1, "registers")]
    [InlineData(16, 100_000, 2, "shared memory")]
    [InlineData(16, 0, 8, "warps")]
    public void OccupancyFollowsTheH100sLimits(int registers, int shared, int groups, string limit)
    {
        var (g, occupancy, why) = GpuLimits.H100.Occupancy(256, registers, shared);
        Assert.Equal((groups, limit), (g, why));
        Assert.Equal(groups * 8 / 64.0, occupancy);
    }

    [Fact]
    public void TheLessonStepModelCountsTheLaunchesAndPricesGemmsBySharedLoads()
    {
        var free = GpuStepModel.Lesson(GpuLimits.H100, new Dictionary<string, double>());
        // 128 x 512 outputs in 64 x 64 blocks make 16 groups for 132 SMs: the policy splits K = 2,048 in 8, and sums
        // them; so does the output layer's dW (83 x 512, K = 12,800): one sum launch more each.
        Assert.Equal(637 + 198 + 1, free.Sum(l => l.Launches));
        var backward = free.Single(l => l.What == "dh_{t-1} = dG·W_hh, each step");
        Assert.Equal(("Gemm.TiledBlockedSplit", 198), (backward.Kernel, backward.Launches));
        Assert.Equal(2.0 * 128 * 512 * 2048, backward.FlopsEach);
        Assert.Equal(1, backward.Efficiency);
        var sum = free.Single(l => l.What == "dh_{t-1} = dG·W_hh, each step: sum of the splits");
        Assert.Equal(4.0 * (8 + 2) * 128 * 512, sum.BytesEach);
        var capped = GpuStepModel.Lesson(GpuLimits.H100, new Dictionary<string, double> { ["Gemm.TiledBlockedSplit"] = 0.5 });
        var slow = capped.Single(l => l.What == "dh_{t-1} = dG·W_hh, each step");
        Assert.Equal(0.5, slow.Efficiency);
        Assert.Equal(backward.Microseconds * 2, slow.Microseconds, 6);
        Assert.All(free, l => Assert.True(l.Microseconds >= GpuStepModel.LaunchFloorMicroseconds));
    }

    [SkippableFact]
    public void TheRegisterBlockedGemmsHotLoopIsSixteenFfmasPerTwoWideSharedLoads()
    {
        var ptxas = Ptxas.Find(out var why);
        Skip.If(ptxas is null, why);
        var cuobjdump = Sass.Find(ptxas!);
        Skip.If(cuobjdump is null, "no cuobjdump beside ptxas (.ci/fetch-ptxas puts one there)");
        using var compiler = new OfflineCompiler();
        var kernel = KernelCatalog.All.Single(k => k.Name == "Gemm.TiledBlocked");
        var cubin = Path.Combine(Path.GetTempPath(), $"ilgpu-lstm-sass-{Environment.ProcessId}.cubin");
        try
        {
            Ptxas.Assemble(ptxas!, compiler.Ptx(kernel, CudaArchitecture.SM_90), "sm_90", cubin);
            var hot = Sass.MixOf(Sass.HotLoop(Sass.Parse(Sass.Disassemble(cuobjdump!, cubin)))!);
            Assert.Equal(16, hot.Ffma);
            Assert.Equal(2.0 / 16, hot.SharedLoadsPerFfma);
            Assert.Equal(128, hot.SharedLoadBits);
            Assert.Equal(4.0 / 16, hot.SharedCyclesPerFfma);
        }
        finally
        {
            File.Delete(cubin);
        }
    }
}
