using IlgpuLstm.Cli;

namespace IlgpuLstm.Tests.Cli;

/// <summary>The devices verb: every accelerator with its type; auto never takes an OpenCL CPU (pocl) for a GPU.</summary>
public sealed class DevicesTests
{
    [Fact]
    public void ListsTheHostPathAndSaysWhatAutoPicks()
    {
        var (code, output, err) = CliRunner.Run("devices");
        Assert.True(code == ExitCodes.Success, err);
        var rows = output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToList();
        var host = Assert.Single(rows, r => r.StartsWith("| cpu ", StringComparison.Ordinal));
        Assert.Contains("| CPU ", host, StringComparison.Ordinal);
        Assert.Single(rows, r => r.StartsWith("| ilgpu-cpu ", StringComparison.Ordinal));
        bool gpu = rows.Any(r => r.Contains("| GPU ", StringComparison.Ordinal));
        if (!gpu) Assert.Contains("--accelerator auto picks: cpu (", output, StringComparison.Ordinal);
    }

    /// <summary>Where OpenCL is in the test list (CI runs this through .ci/with-opencl): pocl is a CPU with a real warp size.</summary>
    [SkippableFact]
    public void AnOpenClCpuShowsItsTypeAndWarpAndIsNotPicked()
    {
        Skip.IfNot(TestAccelerators.All.Contains(TestAccelerators.OpenCL), "no OpenCL device here (CI runs this through .ci/with-opencl)");
        var (code, output, err) = CliRunner.Run("devices");
        Assert.True(code == ExitCodes.Success, err);
        var row = Assert.Single(output.Split('\n'), l => l.StartsWith("| opencl ", StringComparison.Ordinal));
        var cells = row.Split('|').Select(c => c.Trim()).ToList();
        if (cells[2] == "CPU")
        {
            Assert.True(int.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture) > 0, row);
            Assert.DoesNotContain("auto picks: opencl", output, StringComparison.Ordinal);
        }
    }
}
