using ILGPU.Runtime.CPU;
using IlgpuLstm.Cli.SelfTest;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>
/// Every kernel against its float64 reference on awkward shapes: batch 1, hidden 1, sizes off
/// every tile, odd vocabularies, all transpose combinations. Tolerances live in KernelChecks.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class KernelTests(CpuDeviceFixture fixture)
{
    private KernelChecks Checks(string accelerator) => new(fixture.Get(accelerator), seed: 7);

    public static IEnumerable<object[]> GemmShapes => TestAccelerators.With(
        [false, false, 1, 1, 1, false, 0f],
        [false, true, 1, 7, 3, true, 0f],
        [true, false, 9, 1, 5, false, 1f],
        [true, true, 17, 33, 3, true, 0.5f],
        [false, false, 33, 17, 65, true, 1f],
        [false, true, 32, 211, 20, false, 0f],
        [false, false, 3, 1100, 40, true, 1f],   // wider than a tile of panels; a ragged last panel
        [true, false, 70, 600, 300, false, 0f],  // large enough to run in parallel
        [false, true, 5, 97, 1030, true, 0.5f],  // A·Bᵀ with M < N: computed as Cᵀ, bias per row of Cᵀ; 3 K passes
        [false, false, 9, 33, 1025, true, 1f],   // K passes accumulate into C after beta and bias
        // Operands whose k lie HostGemm.PackedStride (512) or more apart are packed: rows per tile, columns into panels.
        [false, false, 300, 1030, 523, true, 1f], // B 1,030 wide, packed: ragged last panel, 2 K passes
        [true, false, 1030, 45, 600, false, 0f],  // dGᵀ·x, the weight gradients' case: each k a row of dG away
        [true, false, 600, 530, 40, true, 1f],    // both packed, tiles spanning 16 panels: ragged last panel and row block
        [true, true, 1027, 33, 70, true, 0.5f],   // both transposed: rows packed, a last block of 3 rows
        [false, true, 60, 1100, 300, true, 0f],   // computed as Cᵀ from A packed into panels
        [false, true, 270, 140, 37, true, 0f],    // row-major A, 256 rows or more, transposed into 16-row blocks (AVX-512): ragged last block, panel and 8 k
        [false, true, 150, 140, 37, true, 0f],    // under 256 rows the same stays in place (8 x 32 kernel)
        [false, true, 130, 300, 40, true, 0.5f]); // computed as Cᵀ with B's rows transposed: bias per row of Cᵀ, strided stores

    /// <summary>Every GEMM version the accelerator runs (the host path has one).</summary>
    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void GemmMatchesReference(string accelerator, bool ta, bool tb, int m, int n, int k, bool bias, float beta)
    {
        var device = fixture.Get(accelerator);
        GemmVersion?[] versions = !device.HasKernels ? [null]
            : device.Accelerator.AcceleratorType == ILGPU.Runtime.AcceleratorType.CPU
                ? [GemmVersion.RowBlock]
                : [GemmVersion.RowBlock, GemmVersion.Tiled, GemmVersion.TiledBlocked, GemmVersion.TiledBlockedSplit];
        var checks = Checks(accelerator);
        foreach (var version in versions)
        {
            // The CPU accelerator runs the scalar RowBlock kernel at 1-2 GFLOP/s: keep it to small shapes.
            if (version == GemmVersion.RowBlock && device.Accelerator.AcceleratorType == ILGPU.Runtime.AcceleratorType.CPU &&
                (long)m * n * k > 200_000) continue;
            AssertPassed(checks.Gemm(version, ta, tb, m, n, k, bias, beta));
        }
    }

    public static IEnumerable<object[]> CellShapes => TestAccelerators.With([1, 1], [3, 17], [5, 33], [9, 40]);

    [Theory]
    [MemberData(nameof(CellShapes))]
    public void CellsMatchReference(string accelerator, int batch, int hidden)
    {
        var checks = Checks(accelerator);
        AssertPassed(checks.Lstm(batch, hidden));
        AssertPassed(checks.Gru(batch, hidden));
        AssertPassed(checks.Rnn(batch, hidden));
    }

    /// <summary>
    /// The fused forward step (GEMM + cell) against the float64 GEMM and cell references. 33 x 200 is
    /// large enough that a host tile spans two row blocks, the last one ragged, and 7 unit blocks.
    /// </summary>
    public static IEnumerable<object[]> StepShapes => TestAccelerators.With([1, 1], [3, 17], [9, 40], [13, 70], [33, 200]);

    [Theory]
    [MemberData(nameof(StepShapes))]
    public void RecurrentForwardStepMatchesReference(string accelerator, int batch, int hidden)
    {
        var checks = Checks(accelerator);
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
            AssertPassed(checks.RecurrentStep(cell, batch, hidden));
    }

    /// <summary>
    /// The fused step kernel itself on the CPU accelerator (whose own policy multiplies and applies
    /// the cell apart), at tile edges 1, 2 and 4: its W tile is read as 16-byte quads, which must stay
    /// aligned at every edge. 33 x 70 leaves ragged row and unit blocks.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void TheFusedStepKernelMatchesReferenceAtEveryTileEdge(int tile)
    {
        using var device = ComputeDevice.OpenCpu(new CPUDevice(4, 4, 1), p => p with { GroupSize = 16, GemmTile = tile, FusedStep = true });
        var checks = new KernelChecks(device, seed: 7);
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
            AssertPassed(checks.RecurrentStep(cell, 33, 70));
    }

    /// <summary>
    /// The backward step's dh += dG·W_hh with W_hh prepared once. From H = 512 the host packs W_hh
    /// (dG's rows, fewer than 256, stay in place): 530 leaves a ragged last panel, batch 17 a ragged 8-row block.
    /// </summary>
    public static IEnumerable<object[]> BackwardStepShapes => TestAccelerators.With([1, 4, 1], [3, 68, 17], [17, 2048, 512], [5, 2120, 530]);

    [Theory]
    [MemberData(nameof(BackwardStepShapes))]
    public void RecurrentBackwardStepMatchesReference(string accelerator, int batch, int gates, int hidden) =>
        AssertPassed(Checks(accelerator).RecurrentBackwardStep(batch, gates, hidden));

    public static IEnumerable<object[]> OneHotShapes => TestAccelerators.With([1, 1, 1], [37, 12, 83], [5, 20, 3], [70, 33, 5]);

    [Theory]
    [MemberData(nameof(OneHotShapes))]
    public void OneHotProjectionMatchesReference(string accelerator, int rows, int gateWidth, int vocab) =>
        AssertPassed(Checks(accelerator).OneHot(rows, gateWidth, vocab));

    public static IEnumerable<object[]> LossShapes => TestAccelerators.With([1, 2], [37, 83], [4, 1]);

    [Theory]
    [MemberData(nameof(LossShapes))]
    public void SoftmaxCrossEntropyMatchesReference(string accelerator, int rows, int vocab) =>
        AssertPassed(Checks(accelerator).CrossEntropy(rows, vocab));

    public static IEnumerable<object[]> Counts => TestAccelerators.With([1], [41], [20001]);

    [Theory]
    [MemberData(nameof(Counts))]
    public void MseMatchesReference(string accelerator, int count) => AssertPassed(Checks(accelerator).Mse(count));

    public static IEnumerable<object[]> ReductionShapes => TestAccelerators.With([1, 1], [67, 133], [1000, 3], [9000, 2]);

    [Theory]
    [MemberData(nameof(ReductionShapes))]
    public void ReductionsMatchReference(string accelerator, int rows, int cols) =>
        AssertPassed(Checks(accelerator).Reductions(rows, cols));

    public static IEnumerable<object[]> OptimizerCounts => TestAccelerators.With([1], [1001], [40007]);

    [Theory]
    [MemberData(nameof(OptimizerCounts))]
    public void ClipAndOptimizersMatchReference(string accelerator, int count) =>
        AssertPassed(Checks(accelerator).ClipAndOptimizers(count));

    public static IEnumerable<object[]> DropoutCases => TestAccelerators.With([1, 0.5f], [999, 0.3f], [64, 0f], [70001, 0.5f]);

    [Theory]
    [MemberData(nameof(DropoutCases))]
    public void DropoutMatchesReference(string accelerator, int count, float p) =>
        AssertPassed(Checks(accelerator).Dropout(count, p));

    [Theory]
    [MemberData(nameof(TestAccelerators.Data), MemberType = typeof(TestAccelerators))]
    public void TransposeRoundTrips(string accelerator)
    {
        AssertPassed(Checks(accelerator).Transpose(3, 5, 7));
        AssertPassed(Checks(accelerator).Transpose(17, 9, 1)); // width 1: a matrix transpose (W_hhᵀ)
    }

    /// <summary>
    /// The tiled GEMM on ILGPU's default CPU device, whose groups hold at most 16 threads: the
    /// policy must pick a 4x4 tile there instead of failing to launch 16x16.
    /// </summary>
    [Fact]
    public void GemmTiledMatchesReferenceWithSixteenThreadGroups()
    {
        using var device = ComputeDevice.OpenCpu(new CPUDevice(4, 4, 1));
        Assert.Equal(4, device.Kernels.Policy.GemmTile);
        var tiled = new KernelChecks(device, seed: 3);
        AssertPassed(tiled.Gemm(GemmVersion.Tiled, false, false, 1, 1, 1, false, 0f));
        AssertPassed(tiled.Gemm(GemmVersion.Tiled, false, true, 7, 9, 5, true, 0f));
        AssertPassed(tiled.Gemm(GemmVersion.Tiled, true, false, 6, 5, 11, false, 1f));
        AssertPassed(tiled.Gemm(GemmVersion.Tiled, true, true, 9, 3, 6, true, 0.5f));
        // Register-blocked: 16x16 blocks of C per 4x4 group; sizes below, at and across blocks.
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlocked, false, false, 1, 1, 1, false, 0f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlocked, false, true, 7, 9, 5, true, 0f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlocked, true, false, 16, 16, 16, false, 1f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlocked, true, true, 33, 17, 19, true, 0.5f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlocked, false, true, 40, 70, 37, true, 0f));
        // Split along K (at least two splits of whole tiles, the last one short), then summed in order
        // with alpha, beta and bias: K of one tile (one split), of a few, and across blocks.
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlockedSplit, false, false, 1, 1, 1, false, 0f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlockedSplit, false, true, 7, 9, 5, true, 0f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlockedSplit, true, false, 16, 16, 16, false, 1f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlockedSplit, true, true, 33, 17, 19, true, 0.5f));
        AssertPassed(tiled.Gemm(GemmVersion.TiledBlockedSplit, false, false, 5, 40, 300, false, 1f));
    }

    /// <summary>
    /// The GPU launch shape on the CPU accelerator: implicitly grouped kernels in groups of 16 over
    /// extents that are not multiples of 16 (ILGPU must mask the extra threads) and the
    /// register-blocked GEMM; the whole selftest sweep must pass.
    /// </summary>
    [Fact]
    public void SelftestPassesWithGpuStyleGroups()
    {
        using var device = ComputeDevice.OpenCpu(new CPUDevice(4, 4, 1),
            p => p with { GroupSize = 16, Gemm = GemmVersion.TiledBlocked, ReductionPartials = 48, FusedStep = true });
        Assert.All(new KernelChecks(device, seed: 5).All(), AssertPassed);
    }

    /// <summary>
    /// Training with an H100's 132 multiprocessors in the policy, so that the backward step's dh GEMM
    /// (batch 3 x 128, K = 512) runs split along K beside the fused step and the column sums: the
    /// same losses run to run, and the host path's to float rounding.
    /// </summary>
    [Fact]
    public void TrainingWithSplitGemmsMatchesTheHostPath()
    {
        var policy = (LaunchPolicy p) => p with { GroupSize = 16, Gemm = GemmVersion.TiledBlocked, ReductionPartials = 48, FusedStep = true, Multiprocessors = 132 };
        Assert.Equal(GemmVersion.TiledBlockedSplit, policy(LaunchPolicy.For(fixture.Get(TestAccelerators.IlgpuCpu).Accelerator) with { GemmTile = 4 })
            .GemmFor(3, 128, 512));
        var text = TrainingText.FromString(string.Concat(Enumerable.Repeat("the cat sat on the mat; the dog ate the log.\n", 8)));
        double?[] Train(ComputeDevice device, string name)
        {
            using var dir = new TempDirectory();
            var result = CharTraining.Train(device, CharTrainingOptions.CpuDefault with
            {
                Text = text,
                RunDirectory = dir.File(name),
                HiddenSize = 128,
                NumLayers = 1,
                Dropout = 0,
                Training = TrainingOptions.CpuDefault with { BatchSize = 3, SeqLength = 5, MaxSteps = 3, PrintEvery = 1, ValBatches = 1 },
            });
            return [.. result.Reports.Select(r => r.Loss)];
        }
        double?[] split, again, host;
        using (var device = ComputeDevice.OpenCpu(new CPUDevice(4, 4, 1), policy)) split = Train(device, "split");
        using (var device = ComputeDevice.OpenCpu(new CPUDevice(4, 4, 1), policy)) again = Train(device, "again");
        using (var device = ComputeDevice.Open(AcceleratorKind.Cpu)) host = Train(device, "host");
        Assert.Equal(split, again);
        Assert.Equal(3, split.Length);
        for (int i = 0; i < split.Length; i++) Assert.Equal(host[i]!.Value, split[i]!.Value, 4);
    }

    private static void AssertPassed(CheckResult result) => Assert.True(result.Passed, result.ToString());
}
