using System.Globalization;
using System.Text.Json;
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
        Assert.Equal(8, phases["recurrent forward steps (h·W_hhᵀ + cell; input projection where fused)"]);
        Assert.Equal(1, phases["optimizer"]);
        Assert.Contains("weight-gradient GEMMs (all time steps; with dW_hh, the bias and one-hot gradients)", phases.Keys);
        Assert.Contains("softmax and cross-entropy", phases.Keys);
        Assert.Matches(@"measured FP32 FMA peak \d+ GFLOP/s", r.Out);

        // The phases add up to the step: from --json, whose times are not rounded to the table's
        // 0.01 ms (at this tiny shape many phases take a few µs).
        var j = CliRunner.Run("bench", "train", "--profile", "--accelerator", "cpu", "--hidden-size", "8", "--num-layers", "2",
            "--batch-size", "3", "--seq-length", "4", "--repeats", "2", "--json");
        Assert.True(j.Code == 0, j.Err);
        var profile = JsonDocument.Parse(j.Out).RootElement.GetProperty("profiles")[0];
        double sum = profile.GetProperty("phases").EnumerateArray().Sum(p => p.GetProperty("ms").GetDouble());
        double total = profile.GetProperty("step_ms").GetDouble();
        Assert.InRange(sum, total * 0.9, total * 1.1);
    }
}
