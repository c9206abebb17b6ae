using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Tests.Cli;

/// <summary>The time-series lesson on the CPU accelerator.</summary>
[Collection(DeviceCollection.Name)]
public sealed class TimeSeriesTests(CpuDeviceFixture fixture)
{
    private readonly ComputeDevice device = fixture.Device;

    [Fact]
    public void LessonLossFallsTwoOrdersOfMagnitudeAndRepeatsBitForBit()
    {
        var first = Run(CellKind.Rnn);
        var reports = first.Reports;
        Assert.Equal([0, 15, 30, 45, 60], reports.Select(r => r.Step));
        Assert.True(reports[^1].Loss * 100 <= reports[0].Loss, $"loss went from {reports[0].Loss} to {reports[^1].Loss}");
        Assert.Equal(75, first.Losses.Length);
        Assert.Equal((float)reports[1].Loss, first.Losses[15]);
        Assert.Equal(first.Losses, Run(CellKind.Rnn).Losses);
    }

    [Theory]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Lstm)]
    public void OtherCellsLearnTheSineToo(CellKind cell)
    {
        var reports = Run(cell).Reports;
        Assert.True(reports[^1].Loss * 10 <= reports[0].Loss, $"{cell}: loss went from {reports[0].Loss} to {reports[^1].Loss}");
    }

    [Fact]
    public void TheVerbWritesTheLessonsFigures()
    {
        using var dir = new TempDirectory();
        var r = CliRunner.Run("timeseries", "--accelerator", "cpu", "--steps", "31", "--plot-dir", dir.Path);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("Step: 30... Loss: ", r.Out, StringComparison.Ordinal);
        foreach (var name in new[] { "step-000.png", "step-015.png", "step-030.png", "loss.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir.Path, name));
            Assert.True(bytes.Length > 1000, name);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
    }

    private TimeSeriesOutcome Run(CellKind cell)
    {
        using var model = new TimeSeriesRnn(device, cell, 1, 32, 1, 1, 1, 20);
        if (cell == CellKind.Rnn) Assert.Equal(1153, model.Layout.Count); // the lesson's parameter count
        model.Initialize(1);
        return TimeSeriesTrainer.Run(device, model, 75, 15, new OptimizerSettings(OptimizerKind.Adam, 0.01), _ => { });
    }
}
