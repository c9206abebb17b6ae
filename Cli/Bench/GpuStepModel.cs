using System.Globalization;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// A model of one training step of the lesson (LSTM 2 x 512, batch 128, sequence 100, 83
/// characters) on a GPU, from the launches the step makes on a GPU (the fused forward step, the
/// per-step cell backward and dh GEMM, the big GEMMs, the elementwise kernels) and each kernel's
/// SASS. Assumptions, stated where they are used:
/// <list type="bullet">
/// <item>A GEMM's issue rate is capped by its hot loop's shared loads: a multiprocessor issues 4
/// warp-wide FFMAs but 128 bytes of shared loads a cycle (a warp-wide 32-bit load, or a 128-bit one
/// every other cycle: <see cref="Sass.Mix"/>), so L cycles of shared loads per FFMA allow
/// min(1, 1 / (4 L)) of the FP32 peak. Latency, bank conflicts and partial waves are not modelled:
/// the model is a floor for this code, not a prediction.</item>
/// <item>Elementwise and one-hot kernels are bound by memory bandwidth (bytes read and written once).</item>
/// <item>Every launch costs at least <see cref="LaunchFloorMicroseconds"/> on the GPU (launch, ramp
/// and tail); the host's launch overhead overlaps with the GPU's work and is not counted.</item>
/// </list>
/// </summary>
internal static class GpuStepModel
{
    public const double LaunchFloorMicroseconds = 3.0;

    /// <summary>One line of the model: launches of one kind, and what each costs.</summary>
    public sealed record Line(string What, string Kernel, int Launches, double FlopsEach, double BytesEach, double Efficiency, double Microseconds)
    {
        public double TotalMs => Launches * Microseconds / 1000;
    }

    /// <summary>The lesson step's launches priced with the SASS mixes of <paramref name="sharedCyclesPerFfma"/> (kernel name to its hot loop's cycles of shared loads per FFMA).</summary>
    public static List<Line> Lesson(GpuLimits gpu, IReadOnlyDictionary<string, double> sharedCyclesPerFfma)
    {
        const int B = 128, T = 100, H = 512, L = 2, V = 83, G = 4 * H, Rows = B * T;
        var policy = new LaunchPolicy(256, GemmVersion.TiledBlocked, LaunchPolicy.MaxGemmTile, 4096, FusedStep: true, Multiprocessors: gpu.Multiprocessors);
        var lines = new List<Line>();

        void Gemm(string what, int launches, int m, int n, int k)
        {
            var version = policy.GemmFor(m, n, k);
            string kernel = version switch
            {
                GemmVersion.Tiled => "Gemm.Tiled",
                GemmVersion.TiledBlockedSplit => "Gemm.TiledBlockedSplit",
                _ => "Gemm.TiledBlocked",
            };
            Add(what, kernel, launches, 2.0 * m * n * k, 4.0 * ((double)m * k + (double)k * n + (double)m * n));
            if (version == GemmVersion.TiledBlockedSplit)
                Memory(what + ": sum of the splits", "Gemm.SumSplits", launches, 4.0 * (policy.Splits(m, n, k) + 2) * m * n);
        }
        void Memory(string what, string kernel, int launches, double bytes) => lines.Add(Priced(what, kernel, launches, 0, bytes, 1));
        void Add(string what, string kernel, int launches, double flops, double bytes)
        {
            double lds = sharedCyclesPerFfma.GetValueOrDefault(kernel, 0);
            lines.Add(Priced(what, kernel, launches, flops, bytes, lds > 0 ? Math.Min(1, 1 / (4 * lds)) : 1));
        }
        Line Priced(string what, string kernel, int launches, double flops, double bytes, double efficiency)
        {
            double compute = flops / (gpu.PeakFp32Tflops * 1e12 * efficiency) * 1e6;
            double memory = bytes / (gpu.MemoryTBps * 1e12) * 1e6;
            return new Line(what, kernel, launches, flops, bytes, efficiency, Math.Max(LaunchFloorMicroseconds, Math.Max(compute, memory)));
        }

        // Forward.
        Memory("layer 0 input: one-hot rows of W_ih", "OneHotProjection.Forward", 1, 4.0 * Rows * G);
        Gemm("layer 1 input projection x·W_ihᵀ", 1, Rows, G, H);
        Add("forward time steps, fused h·W_hhᵀ + cell", "RecurrentStep.Forward", L * T, 2.0 * B * G * H, 4.0 * (B * G * 2 + G * H));
        Memory("state copies, weight transposes", "Elementwise.Transpose", L * 5, 4.0 * G * H * 2);
        Memory("dropout after each layer", "Dropout.Forward", L, 4.0 * Rows * H * 3);
        Memory("output to batch-first", "Elementwise.Transpose", 1, 4.0 * Rows * H * 2);
        Gemm("output layer h·W_fcᵀ", 1, Rows, V, H);
        Memory("softmax cross-entropy and its sum", "SoftmaxCrossEntropy.ForwardBackward", 3, 4.0 * Rows * V * 2);
        // Backward.
        Gemm("output layer dW_fc = dYᵀ·h", 1, V, H, Rows);
        Gemm("output layer dh = dY·W_fc", 1, Rows, H, V);
        Memory("output bias sums, dh to time-major", "Reduction.ColumnPartials", 3, 4.0 * Rows * H * 2);
        Memory("cell backward, each step", "LstmCell.Backward", L * T, 4.0 * (B * G * 2 + B * H * 4));
        Gemm("dh_{t-1} = dG·W_hh, each step", L * (T - 1), B, H, G);
        Gemm("weight gradients dW_hh = dGᵀ·h", L, G, H, Rows);
        Gemm("layer 1 dW_ih = dGᵀ·x", 1, G, H, Rows);
        Gemm("layer 1 dx = dG·W_ih", 1, Rows, H, G);
        Memory("bias sums, one-hot dW_ih of layer 0", "Reduction.ColumnPartials", L * 2 + 1, 4.0 * Rows * G);
        Memory("dropout backward", "Dropout.Backward", L, 4.0 * Rows * H * 3);
        long parameters = L * ((long)G * H * 2 + 2L * G) - (long)G * H + (long)G * V + (long)V * H + V;
        Memory("gradient norm, clip, Adam", "Optimizers.Adam", 4, 4.0 * parameters * 6);
        return lines;
    }

    public static MarkdownTable Table(List<Line> lines)
    {
        var table = new MarkdownTable("work", "kernel", "launches", "GFLOP each", "MB each", "issue rate", "µs each", "ms a step");
        foreach (var l in lines)
            table.Add(l.What, l.Kernel, l.Launches.ToString(CultureInfo.InvariantCulture), (l.FlopsEach / 1e9).ToString("F3", CultureInfo.InvariantCulture),
                (l.BytesEach / 1e6).ToString("F1", CultureInfo.InvariantCulture), l.FlopsEach > 0 ? l.Efficiency.ToString("P0", CultureInfo.InvariantCulture) : "memory",
                l.Microseconds.ToString("F1", CultureInfo.InvariantCulture), l.TotalMs.ToString("F2", CultureInfo.InvariantCulture));
        table.Add("**the step**", "", lines.Sum(l => l.Launches).ToString(CultureInfo.InvariantCulture), "", "", "", "",
            $"**{lines.Sum(l => l.TotalMs).ToString("F1", CultureInfo.InvariantCulture)}**");
        return table;
    }
}
