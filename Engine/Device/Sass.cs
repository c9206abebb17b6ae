using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// What a kernel's machine code (SASS, read from ptxas's cubin with NVIDIA's cuobjdump) says about
/// its speed before any GPU runs it: the instruction mix of the whole kernel and of its hot loop
/// (the innermost loop with the most FFMAs), shared-memory loads per FMA, and the width of its
/// global and shared accesses. Counts are static (instructions in the code, not executed ones); in
/// a loop body they are the per-iteration mix.
/// </summary>
internal static partial class Sass
{
    public const string Variable = "ILGPU_LSTM_CUOBJDUMP";

    /// <summary>cuobjdump from <see cref="Variable"/>, else beside ptxas (where .ci/fetch-ptxas puts it), else on PATH.</summary>
    public static string? Find(string ptxas)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured) return File.Exists(configured) ? configured : null;
        var beside = Path.Combine(Path.GetDirectoryName(ptxas) ?? ".", "cuobjdump");
        if (File.Exists(beside)) return beside;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "cuobjdump"))) return Path.Combine(dir, "cuobjdump");
        return null;
    }

    /// <summary>The SASS text of a cubin.</summary>
    public static string Disassemble(string cuobjdump, string cubin)
    {
        var info = new ProcessStartInfo(cuobjdump, ["-sass", cubin]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // cuobjdump runs nvdisasm for every architecture from sm_80 on: the one beside it first.
        info.Environment["PATH"] = Path.GetDirectoryName(Path.GetFullPath(cuobjdump)) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + cuobjdump);
        var stderr = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"cuobjdump -sass failed ({process.ExitCode}): {stderr.Result.Trim()}");
        return text;
    }

    /// <summary>One instruction: address, opcode with its modifiers, and a backward branch's target.</summary>
    public sealed record Instruction(int Address, string Opcode, int? BranchTarget);

    public static List<Instruction> Parse(string sass)
    {
        var list = new List<Instruction>();
        foreach (Match m in InstructionPattern().Matches(sass))
        {
            int address = int.Parse(m.Groups["address"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            string opcode = m.Groups["opcode"].Value;
            int? target = null;
            if (opcode.StartsWith("BRA", StringComparison.Ordinal) && TargetPattern().Match(m.Groups["operands"].Value) is { Success: true } t)
                target = int.Parse(t.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            list.Add(new Instruction(address, opcode, target));
        }
        return list;
    }

    /// <summary>An instruction mix.</summary>
    /// <remarks>
    /// Global loads count LDG and generic LD (ILGPU addresses buffers generically, so a global load
    /// is an LD.E unless the compiler proves the space); <see cref="GenericLoads"/> says how many of them are generic.
    /// Stores likewise (STG, ST). A warp-wide shared load costs max(1, bits / 64) cycles of the
    /// multiprocessor's 128 bytes a cycle: our tiled kernels' 16 x 16 threads read at most 16
    /// distinct addresses a warp (the lanes of one thread row; the two rows of a warp read the same
    /// B values, and A values are broadcast), so a 32- or 64-bit load is one cycle and a 128-bit
    /// load (16 x 16 bytes) two.
    /// </remarks>
    public sealed record Mix(int Instructions, int Ffma, int SharedLoads, int SharedLoadWords, int SharedStores, int GlobalLoads,
        int GlobalLoadWords, int GenericLoads, int Stores, int Barriers, int Mufu, int SharedLoadCycles)
    {
        /// <summary>Shared loads (instructions) per FFMA.</summary>
        public double SharedLoadsPerFfma => Ffma == 0 ? double.NaN : (double)SharedLoads / Ffma;

        /// <summary>
        /// Cycles of shared-memory bandwidth per FFMA (<see cref="SharedLoadCycles"/>): what caps a
        /// tiled GEMM, which needs both each cycle.
        /// </summary>
        public double SharedCyclesPerFfma => Ffma == 0 ? double.NaN : (double)SharedLoadCycles / Ffma;

        /// <summary>The global loads' mean width in bits (128: vectorized float4).</summary>
        public double GlobalLoadBits => GlobalLoads == 0 ? double.NaN : 32.0 * GlobalLoadWords / GlobalLoads;

        /// <summary>The shared loads' mean width in bits.</summary>
        public double SharedLoadBits => SharedLoads == 0 ? double.NaN : 32.0 * SharedLoadWords / SharedLoads;
    }

    public static Mix MixOf(IEnumerable<Instruction> code)
    {
        int n = 0, ffma = 0, lds = 0, ldsWords = 0, ldsCycles = 0, sts = 0, ldg = 0, ldgWords = 0, generic = 0, stores = 0, bar = 0, mufu = 0;
        foreach (var i in code)
        {
            string op = i.Opcode;
            if (op is "NOP") continue;
            n++;
            if (op.StartsWith("FFMA", StringComparison.Ordinal)) ffma++;
            else if (op.StartsWith("LDS", StringComparison.Ordinal)) { lds++; ldsWords += Words(op); ldsCycles += Math.Max(1, Words(op) / 2); }
            else if (op.StartsWith("STS", StringComparison.Ordinal)) sts++;
            else if (op.StartsWith("LDG", StringComparison.Ordinal)) { ldg++; ldgWords += Words(op); }
            else if (op.StartsWith("LD.", StringComparison.Ordinal) || op == "LD") { ldg++; generic++; ldgWords += Words(op); }
            else if (op.StartsWith("STG", StringComparison.Ordinal) || op.StartsWith("ST.", StringComparison.Ordinal) || op == "ST") stores++;
            else if (op.StartsWith("BAR", StringComparison.Ordinal)) bar++;
            else if (op.StartsWith("MUFU", StringComparison.Ordinal)) mufu++;
        }
        return new Mix(n, ffma, lds, ldsWords, sts, ldg, ldgWords, generic, stores, bar, mufu, ldsCycles);
    }

    /// <summary>32-bit words an access moves (LDS.128: 4; LDG.E.64: 2; no width: 1).</summary>
    private static int Words(string opcode) =>
        opcode.Contains(".128", StringComparison.Ordinal) ? 4 : opcode.Contains(".64", StringComparison.Ordinal) ? 2 : 1;

    /// <summary>
    /// The hot loop: of the innermost loops (a backward branch's range that holds no other loop),
    /// the one with the most FFMAs; null for straight-line code.
    /// </summary>
    public static List<Instruction>? HotLoop(List<Instruction> code)
    {
        var loops = code.Where(i => i.BranchTarget is { } t && t <= i.Address)
            .Select(i => (Start: i.BranchTarget!.Value, End: i.Address)).Distinct().ToList();
        var innermost = loops.Where(l => !loops.Any(o => o != l && o.Start >= l.Start && o.End <= l.End)).ToList();
        return innermost
            .Select(l => code.Where(i => i.Address >= l.Start && i.Address <= l.End).ToList())
            .OrderByDescending(body => body.Count(i => i.Opcode.StartsWith("FFMA", StringComparison.Ordinal)))
            .ThenBy(body => body.Count)
            .FirstOrDefault();
    }

    [GeneratedRegex(@"/\*(?<address>[0-9a-f]{4,})\*/\s+(?:@!?U?P\w+\s+)?(?<opcode>[A-Z][A-Z0-9_.]*)(?<operands>[^;]*);", RegexOptions.CultureInvariant)]
    private static partial Regex InstructionPattern();

    [GeneratedRegex(@"0x([0-9a-f]+)", RegexOptions.CultureInvariant)]
    private static partial Regex TargetPattern();
}
