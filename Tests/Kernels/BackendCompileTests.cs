using ILGPU.Runtime.Cuda;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Tests.Kernels;

/// <summary>
/// Every kernel compiles to PTX (SM 7.0, 8.0, 9.0) and OpenCL C with no device present, and its
/// PTX assembles to machine code with NVIDIA's ptxas where one is available (.ci/run fetches it).
/// </summary>
public sealed class BackendCompileTests : IDisposable
{
    private readonly OfflineCompiler compiler = new();

    public static TheoryData<string> Kernels => new(KernelCatalog.All.Select(k => k.Name));

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesToPtxForEveryArchitecture(string name)
    {
        var kernel = Find(name);
        foreach (var (arch, target) in new[] { (CudaArchitecture.SM_70, "sm_70"), (CudaArchitecture.SM_80, "sm_80"), (CudaArchitecture.SM_90, "sm_80") })
        {
            var ptx = compiler.Ptx(kernel, arch);
            Assert.Contains(".entry", ptx, StringComparison.Ordinal);
            // ILGPU 1.5.3 emits sm_80 for SM_90 (the driver JIT-compiles it on Hopper).
            Assert.Contains(".target " + target, ptx, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The PTX holds no approximate instruction whose error exceeds selftest's tolerance
    /// (1e-6 + 1e-5·|ref|): tanh.approx.f32 (ILGPU's lowering of MathF.Tanh), sin/cos.approx and
    /// approximate division are refused. ex2.approx.f32 and lg2.approx.f32 (ILGPU's exp and log)
    /// stay: the PTX manual gives them 2 ulp (2^-22 relative) and 2^-22 absolute at worst.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kernels))]
    public void PtxHasNoApproximationCoarserThanSelftestsTolerance(string name)
    {
        string[] allowed = ["ex2.approx.f32", "ex2.approx.ftz.f32", "lg2.approx.f32", "lg2.approx.ftz.f32"];
        var ptx = compiler.Ptx(Find(name), CudaArchitecture.SM_80);
        var coarse = System.Text.RegularExpressions.Regex.Matches(ptx, @"\b[a-z0-9]+\.approx(\.[a-z0-9]+)*")
            .Select(m => m.Value).Where(v => !allowed.Contains(v)).Distinct().ToList();
        Assert.True(coarse.Count == 0, $"{name}: {string.Join(", ", coarse)}");
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesToOpenCl(string name)
    {
        var source = compiler.OpenCl(Find(name));
        Assert.Contains("kernel", source, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every kernel assembled for one architecture; one test per architecture, so a machine without
    /// ptxas reports three skips with the reason, not one per kernel.
    /// </summary>
    [SkippableTheory]
    [InlineData("sm_70")]
    [InlineData("sm_80")]
    [InlineData("sm_90")]
    public void PtxAssemblesWithPtxas(string architecture)
    {
        var ptxas = Ptxas.Find(out var why);
        Skip.If(ptxas is null, why);
        var source = architecture switch
        {
            "sm_70" => CudaArchitecture.SM_70,
            "sm_80" => CudaArchitecture.SM_80,
            _ => CudaArchitecture.SM_90,
        };
        foreach (var kernel in KernelCatalog.All)
        {
            var report = Ptxas.Assemble(ptxas!, compiler.Ptx(kernel, source), architecture);
            Assert.True(report.Registers > 0, $"{kernel.Name}: {report.Log}");
            Assert.True(report.SpillStoreBytes == 0, $"{kernel.Name} spills {report.SpillStoreBytes} bytes for {architecture}");
        }
    }

    [Fact]
    public void CatalogListsEveryKernelTheSetLoads()
    {
        // Every kernel delegate in KernelSet must have a catalog entry, or it escapes these checks.
        int delegates = typeof(KernelSet).GetProperties().Count(p => typeof(Delegate).IsAssignableFrom(p.PropertyType));
        Assert.Equal(delegates, KernelCatalog.All.Count);
    }

    private static KernelEntry Find(string name) => KernelCatalog.All.Single(k => k.Name == name);

    public void Dispose() => compiler.Dispose();
}
