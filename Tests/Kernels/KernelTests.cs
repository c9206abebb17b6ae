using ILGPU.Runtime.CPU;
using IlgpuLstm.Cli.SelfTest;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>
/// Every kernel against its float64 reference on awkward shapes: batch 1, hidden 1, sizes off
/// every tile, odd vocabularies, all transpose combinations. Tolerances live in KernelChecks.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class KernelTests(CpuDeviceFixture fixture)
{
    private readonly KernelChecks checks = new(fixture.Device, seed: 7);

    public static TheoryData<bool, bool, int, int, int, bool, float> GemmShapes => new()
    {
        { false, false, 1, 1, 1, false, 0f },
        { false, true, 1, 7, 3, true, 0f },
        { true, false, 9, 1, 5, false, 1f },
        { true, true, 17, 33, 3, true, 0.5f },
        { false, false, 33, 17, 65, true, 1f },
        { false, true, 32, 211, 20, false, 0f },
    };

    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void GemmRowBlockMatchesReference(bool ta, bool tb, int m, int n, int k, bool bias, float beta) =>
        AssertPassed(checks.Gemm(GemmVersion.RowBlock, ta, tb, m, n, k, bias, beta));

    [Theory]
    [MemberData(nameof(GemmShapes))]
    [InlineData(false, false, 3, 1100, 40, true, 1f)] // wider than the 512-column stack chunk
    [InlineData(true, false, 70, 600, 300, false, 0f)] // large enough to run in parallel
    public void GemmHostVectorMatchesReference(bool ta, bool tb, int m, int n, int k, bool bias, float beta) =>
        AssertPassed(checks.Gemm(GemmVersion.HostVector, ta, tb, m, n, k, bias, beta));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(5, 33)]
    public void CellsMatchReference(int batch, int hidden)
    {
        AssertPassed(checks.Lstm(batch, hidden));
        AssertPassed(checks.Gru(batch, hidden));
        AssertPassed(checks.Rnn(batch, hidden));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(37, 12, 83)]
    [InlineData(5, 20, 3)]
    public void OneHotProjectionMatchesReference(int rows, int gateWidth, int vocab) =>
        AssertPassed(checks.OneHot(rows, gateWidth, vocab));

    [Theory]
    [InlineData(1, 2)]
    [InlineData(37, 83)]
    [InlineData(4, 1)]
    public void SoftmaxCrossEntropyMatchesReference(int rows, int vocab) => AssertPassed(checks.CrossEntropy(rows, vocab));

    [Theory]
    [InlineData(1)]
    [InlineData(41)]
    public void MseMatchesReference(int count) => AssertPassed(checks.Mse(count));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(67, 133)]
    [InlineData(1000, 3)]
    public void ReductionsMatchReference(int rows, int cols) => AssertPassed(checks.Reductions(rows, cols));

    [Theory]
    [InlineData(1)]
    [InlineData(1001)]
    public void ClipAndOptimizersMatchReference(int count) => AssertPassed(checks.ClipAndOptimizers(count));

    [Theory]
    [InlineData(1, 0.5f)]
    [InlineData(999, 0.3f)]
    [InlineData(64, 0f)]
    public void DropoutMatchesReference(int count, float p) => AssertPassed(checks.Dropout(count, p));

    [Fact]
    public void TransposeRoundTrips() => AssertPassed(checks.Transpose(3, 5, 7));

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
            p => p with { GroupSize = 16, Gemm = GemmVersion.TiledBlocked, ReductionPartials = 48 });
        Assert.All(new KernelChecks(device, seed: 5).All(), AssertPassed);
    }

    private static void AssertPassed(CheckResult result) => Assert.True(result.Passed, result.ToString());
}
