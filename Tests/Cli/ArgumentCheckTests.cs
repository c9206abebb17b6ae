using IlgpuLstm.Cli;

namespace IlgpuLstm.Tests.Cli;

/// <summary>Words the verbs take no place for, and flags left without their value, are refused, never ignored.</summary>
public sealed class ArgumentCheckTests
{
    [Theory]
    [InlineData(new[] { "train", "mytext.txt", "--max-steps", "1" }, "error: unexpected argument 'mytext.txt'; to use that file, give it as --corpus mytext.txt")]
    [InlineData(new[] { "train", "--max-steps", "1", "--corpus" }, "error: --corpus needs a value (see ilgpu-lstm train --help)")]
    [InlineData(new[] { "train", "--corpus", "--max-steps", "1" }, "error: --corpus needs a value (see ilgpu-lstm train --help)")]
    [InlineData(new[] { "sample", "--checkpoint", "c.safetensors", "--prime" }, "error: --prime needs a value (see ilgpu-lstm sample --help)")]
    [InlineData(new[] { "sample", "c.safetensors" }, "error: unexpected argument 'c.safetensors'; to use that file, give it as --checkpoint c.safetensors")]
    [InlineData(new[] { "timeseries", "temps.csv" }, "error: unexpected argument 'temps.csv'; timeseries takes its input as flags (see ilgpu-lstm timeseries --help)")]
    [InlineData(new[] { "eval", "run/latest.safetensors" }, "error: unexpected argument 'run/latest.safetensors'; to use that file, give it as --checkpoint run/latest.safetensors")]
    [InlineData(new[] { "eval", "mytext.txt", "--checkpoint", "c.safetensors" }, "error: unexpected argument 'mytext.txt'; to use that file, give it as --corpus mytext.txt")]
    [InlineData(new[] { "eval", "--checkpoint", "c.safetensors", "--corpus" }, "error: --corpus needs a value (see ilgpu-lstm eval --help)")]
    [InlineData(new[] { "export", "c.safetensors" }, "error: unexpected argument 'c.safetensors'; to use that file, give it as --checkpoint c.safetensors")]
    [InlineData(new[] { "export", "--checkpoint", "c.safetensors", "--out" }, "error: --out needs a value (see ilgpu-lstm export --help)")]
    [InlineData(new[] { "inspect", "c.safetensors" }, "error: unexpected argument 'c.safetensors'; to use that file, give it as --checkpoint c.safetensors")]
    [InlineData(new[] { "inspect", "--checkpoint" }, "error: --checkpoint needs a value (see ilgpu-lstm inspect --help)")]
    [InlineData(new[] { "plot", "runs/a", "--out" }, "error: --out needs a value (see ilgpu-lstm plot --help)")]
    [InlineData(new[] { "devices", "cuda" }, "error: unexpected argument 'cuda'; devices takes its input as flags (see ilgpu-lstm devices --help)")]
    [InlineData(new[] { "selftest", "opencl" }, "error: unexpected argument 'opencl'; selftest takes its input as flags (see ilgpu-lstm selftest --help)")]
    [InlineData(new[] { "timeseries", "--steps" }, "error: --steps needs a value (see ilgpu-lstm timeseries --help)")]
    [InlineData(new[] { "bench", "gemm", "extra" }, "error: unexpected argument 'extra'; bench takes its input as flags (see ilgpu-lstm bench --help)")]
    public void IsRefusedWithOneLineAndExitCode2(string[] args, string expected)
    {
        var (code, output, err) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Equal(expected + "\n", err.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("bench", "gemm", "--repeats", "3")]
    [InlineData("plot", "a", "b", "c", "--out", "x.png")]
    [InlineData("train", "--seed", "-1", "--corpus", "t.txt")]
    [InlineData("train", "--corpus=t.txt", "--overwrite")]
    public void LeavesWellFormedLinesToTheParser(params string[] args) =>
        Assert.Null(ArgumentCheck.Problem(args, [typeof(IlgpuLstm.Cli.Verbs.TrainOptions), typeof(IlgpuLstm.Cli.Verbs.BenchOptions),
            typeof(IlgpuLstm.Cli.Verbs.PlotOptions)]));
}
