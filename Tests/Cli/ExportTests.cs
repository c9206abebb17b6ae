using IlgpuLstm.Cli;
using IlgpuLstm.Tests.Fixtures;
using Microsoft.ML.OnnxRuntime;

namespace IlgpuLstm.Tests.Cli;

/// <summary>The export verb: writes a model ONNX Runtime opens, and refuses in one line what it cannot do.</summary>
public sealed class ExportTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private static string Checkpoint => FixturePath.Of("char_lstm_init.safetensors");

    [Fact]
    public void ExportWritesAModelOnnxRuntimeOpensAndNeverOverwritesUnasked()
    {
        string output = dir.File("m.onnx");
        var r = CliRunner.Run("export", "--checkpoint", Checkpoint, "--format", "onnx", "--out", output);
        Assert.True(r.Code == ExitCodes.Success, r.Err);
        Assert.Contains("wrote ", r.Out, StringComparison.Ordinal);
        Assert.Contains("ONNX opset 17", r.Out, StringComparison.Ordinal);
        using (var session = new InferenceSession(output))
            Assert.Equal(["tokens", "h0", "c0"], session.InputNames);

        var before = File.ReadAllBytes(output);
        File.WriteAllText(output, "a file of mine");
        var again = CliRunner.Run("export", "--checkpoint", Checkpoint, "--out", output);
        Assert.Equal(ExitCodes.Error, again.Code);
        Assert.Equal($"error: --out '{output}' already exists; choose another file, or add --overwrite to replace it\n", again.Err);
        Assert.Equal("a file of mine", File.ReadAllText(output));

        var forced = CliRunner.Run("export", "--checkpoint", Checkpoint, "--out", output, "--overwrite");
        Assert.True(forced.Code == ExitCodes.Success, forced.Err);
        Assert.Equal(before, File.ReadAllBytes(output));
    }

    [Theory]
    [InlineData("missing-dir/m.onnx", "does not exist")]
    [InlineData("/proc/m.onnx", "cannot write '/proc/m.onnx'")]
    public void AnUnwritableOutputIsOneLine(string output, string expected)
    {
        string path = output.StartsWith('/') ? output : dir.File(output);
        var r = CliRunner.Run("export", "--checkpoint", Checkpoint, "--out", path);
        Assert.Equal(ExitCodes.Error, r.Code);
        Assert.StartsWith("error: ", r.Err, StringComparison.Ordinal);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ACheckpointThatCannotBeExportedIsOneLine()
    {
        string notACheckpoint = dir.File("notes.safetensors");
        File.WriteAllText(notACheckpoint, "just some text, not tensors");
        string output = dir.File("m.onnx");
        var r = CliRunner.Run("export", "--checkpoint", notACheckpoint, "--out", output);
        Assert.Equal(ExitCodes.Error, r.Code);
        Assert.Contains("is not a safetensors file", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*.tmp"));
    }

    [Fact]
    public void AnUnknownFormatIsAUsageError()
    {
        var r = CliRunner.Run("export", "--checkpoint", Checkpoint, "--format", "tflite", "--out", dir.File("m.tflite"));
        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Equal("error: --format 'tflite' is not known; valid: onnx\n", r.Err);
    }

    public void Dispose() => dir.Dispose();
}
