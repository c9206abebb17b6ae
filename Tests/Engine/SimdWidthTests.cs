using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Ops.Host;

namespace IlgpuLstm.Tests.Engine;

/// <summary>
/// The host path's SIMD widths (AVX-512, AVX2, 128-bit): the chosen one runs on vector instructions,
/// and every width this machine can show trains to the same bits. Each width runs in its own
/// process, since .NET reads the variables that hide instruction sets only at start-up.
/// </summary>
public sealed class SimdWidthTests : IDisposable
{
    private readonly TempDirectory dir = new();

    [Fact]
    public void TheChosenWidthIsHardwareAccelerated()
    {
        Assert.True(HostSimd.Accelerated, $"the host path chose {HostSimd.Name}, which .NET runs in software");
        bool accelerated = HostSimd.Bits switch
        {
            512 => Vector512.IsHardwareAccelerated,
            256 => Vector256.IsHardwareAccelerated,
            _ => Vector128.IsHardwareAccelerated,
        };
        Assert.True(accelerated, $"{HostSimd.Bits}-bit vectors are not hardware accelerated here");
        Assert.Equal(HostSimd.Bits / 32 * 2, HostGemm.Nr);
    }

    /// <summary>
    /// 12 steps of an LSTM whose layers run as whole sequences and of a GRU run step by step (h_{t-1}
    /// packed into row blocks at 16 registers), whose 320-row projections take the packed-row GEMM
    /// path, dropout on: every width gives the weights bit for bit.
    /// </summary>
    [SkippableFact]
    public void EveryWidthTrainsTheSameBits()
    {
        var widths = FusedWidths();
        Skip.If(widths.Count < 2, "this machine shows one SIMD width with FMA only");
        foreach (var (cell, hidden, batch, seq) in Runs)
        {
            var first = Train(widths[0], cell, hidden, batch, seq);
            foreach (var width in widths.Skip(1))
            {
                var other = Train(width, cell, hidden, batch, seq);
                Assert.Equal(first.Keys, other.Keys);
                foreach (var name in first.Keys)
                    Assert.True(first[name].AsSpan().SequenceEqual(other[name]),
                        $"{cell}: {name} differs between {widths[0].Name} and {width.Name}: {Differences(first[name], other[name])}");
            }
        }
    }

    /// <summary>
    /// x86 without FMA (hidden by <c>DOTNET_EnableAVX2=0</c>) multiplies and adds separately: not the
    /// same bits as FMA machines, but the same training to float rounding.
    /// </summary>
    [SkippableFact]
    public void WithoutFmaTrainingAgreesToRounding()
    {
        Skip.IfNot(RuntimeInformation.ProcessArchitecture == Architecture.X64 && Fma.IsSupported,
            "needs an x86 CPU with FMA, to hide it");
        var (cell, hidden, batch, seq) = Runs[0];
        var fused = Train(new Width("native", []), cell, hidden, batch, seq);
        var separate = Train(new Width("128-bit SSE, no FMA", [("DOTNET_EnableAVX2", "0")]), cell, hidden, batch, seq);
        foreach (var name in fused.Keys)
        {
            var a = Floats(fused[name]);
            var b = Floats(separate[name]);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-4 * (1 + Math.Abs(a[i])), $"{name}[{i}]: FMA {a[i]:G9}, no FMA {b[i]:G9}");
        }
    }

    private static readonly (string Cell, int Hidden, int Batch, int Seq)[] Runs =
        [("lstm", 40, 11, 8), ("gru", 180, 20, 16)];

    private sealed record Width(string Name, (string Variable, string Value)[] Environment);

    /// <summary>The widths with FMA that this process's CPU can show: its own, and the narrower ones .NET can hide it down to.</summary>
    private static List<Width> FusedWidths()
    {
        var widths = new List<Width>();
        if (!(Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)) return widths;
        if (Vector512.IsHardwareAccelerated) widths.Add(new Width("AVX-512", []));
        if (Vector256.IsHardwareAccelerated)
            widths.Add(new Width("AVX2", Vector512.IsHardwareAccelerated ? [("DOTNET_EnableAVX512F", "0")] : []));
        widths.Add(new Width("128-bit", widths.Count > 0 ? [("DOTNET_PreferredVectorBitWidth", "128")] : []));
        return widths;
    }

    /// <summary>Trains in a child process under the width's variables; the final weights' bytes by tensor name.</summary>
    private Dictionary<string, byte[]> Train(Width width, string cell, int hidden, int batch, int seq)
    {
        string corpus = dir.File("corpus.txt");
        if (!File.Exists(corpus))
            File.WriteAllText(corpus, string.Concat(Enumerable.Repeat(
                "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n", 80)));
        string run = Path.Combine(dir.Path, $"{cell}-{width.Name.Replace(' ', '_')}");
        var cli = Path.Combine(AppContext.BaseDirectory, "ilgpu-lstm.dll");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { cli, "train", "--corpus", corpus, "--accelerator", "cpu", "--cell", cell,
            "--hidden-size", $"{hidden}", "--num-layers", "2", "--batch-size", $"{batch}", "--seq-length", $"{seq}",
            "--dropout", "0.3", "--max-steps", "12", "--val-frac", "0.1", "--print-every", "4", "--seed", "7",
            "--sample-length", "0", "--checkpoint-dir", run })
            info.ArgumentList.Add(a);
        foreach (var (variable, value) in width.Environment) info.Environment[variable] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"train under {width.Name} did not finish in 5 minutes");
        }
        Assert.True(process.ExitCode == 0, $"train under {width.Name} exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
        var file = SafetensorsFile.Open(Path.Combine(run, "latest.safetensors"));
        return file.Tensors.Values.Where(t => t.DType == "F32")
            .ToDictionary(t => t.Name, t => MemoryMarshal.AsBytes(file.ReadFloat32(t.Name).AsSpan()).ToArray());
    }

    /// <summary>How many elements differ, and the first few.</summary>
    private static string Differences(byte[] a, byte[] b)
    {
        var x = Floats(a);
        var y = Floats(b);
        var at = Enumerable.Range(0, x.Length).Where(i => x[i] != y[i]).ToList();
        return $"{at.Count} of {x.Length} elements, first at " +
            string.Join(", ", at.Take(4).Select(i => $"[{i}] {x[i]:G9} vs {y[i]:G9}"));
    }

    private static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    public void Dispose() => dir.Dispose();
}
