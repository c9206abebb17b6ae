using System.Globalization;
using System.Text.RegularExpressions;

namespace IlgpuLstm.Tests.Cli;

/// <summary>bench train --profile: every phase of a step is timed and the phases add up to the step.</summary>
[Collection(DeviceCollection.Name)]
public sealed class BenchProfileTests
{
    [Fact]
    public void TheProfileSplitsAStepIntoPhasesThatAddUpToIt()
    {
        var r = CliRunner.Run("bench", "train", "--profile", "--accelerator", "cpu", "--hidden-size", "8", "--num-layers", "2",
            "--batch-size", "3", "--seq-length", "4", "--repeats", "2");
        Assert.True(r.Code == 0, r.Err);
        var step = Regex.Match(r.Out, @"## B3 T4 8x2 V\d+ p0\.5 lstm: ([\d.]+) ms a step profiled");
        Assert.True(step.Success, r.Out);
        var rows = Regex.Matches(r.Out, @"^\| (?<phase>[^|]+?) +\| (?<calls>\d+) +\| (?<ms>[\d.]+) +\|", RegexOptions.Multiline);
        var phases = rows.ToDictionary(m => m.Groups["phase"].Value, m => int.Parse(m.Groups["calls"].Value, CultureInfo.InvariantCulture));
        // Two layers over four time steps: one fused forward step per layer and time step.
        Assert.Equal(8, phases["recurrent forward steps (h·W_hhᵀ + cell)"]);
        Assert.Equal(1, phases["optimizer"]);
        Assert.Contains("weight-gradient GEMMs (all time steps)", phases.Keys);
        Assert.Contains("softmax and cross-entropy", phases.Keys);
        double sum = rows.Sum(m => double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture));
        double total = double.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(sum, total * 0.9, total * 1.1 + 0.05); // rounding of each row to 0.01 ms
        Assert.Matches(@"measured FP32 FMA peak \d+ GFLOP/s", r.Out);
    }
}
