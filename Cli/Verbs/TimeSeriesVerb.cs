using System.Globalization;
using CommandLine;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

[Verb("timeseries", HelpText = "The sine-wave time-series lesson: RNN(1, 32) + Linear(32, 1), MSE, Adam 0.01, state carried over 75 steps.")]
public sealed class TimeSeriesOptions
{
    [CommandLine.Text.Usage(ApplicationAlias = "ilgpu-lstm")]
    public static IEnumerable<CommandLine.Text.Example> Examples => [new("the sine-wave lesson with a GRU, figures in ./plots", new TimeSeriesOptions { Cell = "gru", PlotDir = "plots" })];

    [Option("cell", Default = "rnn", HelpText = "rnn, gru or lstm.")]
    public string Cell { get; set; } = "rnn";

    [Option("hidden-size", Default = 32, HelpText = "Units per recurrent layer.")]
    public int HiddenSize { get; set; }

    [Option("num-layers", Default = 1, HelpText = "Recurrent layers.")]
    public int NumLayers { get; set; }

    [Option("steps", Default = 75, HelpText = "Training steps (one half-period window each).")]
    public int Steps { get; set; }

    [Option("seq-length", Default = 20, HelpText = "Points per window.")]
    public int SeqLength { get; set; }

    [Option("print-every", Default = 15, HelpText = "Print (and plot) every N steps, from step 0.")]
    public int PrintEvery { get; set; }

    [Option("lr", Default = 0.01, HelpText = "Adam learning rate.")]
    public double LearningRate { get; set; }

    [Option("seed", Default = 1UL, HelpText = "Seed of the initialisation.")]
    public ulong Seed { get; set; }

    [Option("accelerator", Default = AcceleratorKind.Auto, HelpText = AcceleratorNames.Help)]
    public AcceleratorKind Accelerator { get; set; }

    [Option("plot-dir", HelpText = "Write the lesson's figures (PNG) here.")]
    public string? PlotDir { get; set; }
}

public static class TimeSeriesVerb
{
    public static int Run(TimeSeriesOptions o, TextWriter output)
    {
        if (!CellKindExtensions.TryParse(o.Cell, out var cell))
            throw new UsageException($"unknown --cell '{o.Cell}' (known: rnn, gru, lstm)");
        if (o.SeqLength < 1) throw new UsageException($"--seq-length must be at least 1, got {o.SeqLength}");
        if (!(o.LearningRate > 0)) throw new UsageException($"--lr must be positive, got {o.LearningRate}");
        // A plot directory that cannot be written is refused now, not after training.
        if (o.PlotDir != null) TimeSeriesPlots.EnsureWritable(o.PlotDir);
        using var device = ComputeDevice.Open(o.Accelerator);
        using var model = new TimeSeriesRnn(device, cell, 1, o.HiddenSize, o.NumLayers, 1, 1, o.SeqLength);
        model.Initialize(o.Seed);
        output.WriteLine($"{cell.ModuleName()}(1, {o.HiddenSize}, {o.NumLayers} layer(s)) + Linear({o.HiddenSize}, 1): " +
            $"{model.Layout.Count:N0} parameters on {device.Description.Name}");
        var outcome = TimeSeriesTrainer.Run(device, model, o.Steps, o.PrintEvery,
            new OptimizerSettings(OptimizerKind.Adam, o.LearningRate), r =>
            {
                output.WriteLine($"Step: {r.Step}... Loss: {r.Loss.ToString("G6", CultureInfo.InvariantCulture)}");
                if (o.PlotDir != null) TimeSeriesPlots.Step(o.PlotDir, r);
            });
        if (o.PlotDir != null)
            output.WriteLine($"plots: {TimeSeriesPlots.Loss(o.PlotDir, outcome.Losses)} and step-NNN.png beside it");
        return ExitCodes.Success;
    }
}
