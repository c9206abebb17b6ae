using System.Globalization;
using CommandLine;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

[Verb("timeseries", HelpText = "The sine-wave time-series lesson: RNN(1, 32) + Linear(32, 1), MSE, Adam 0.01, state carried over 75 steps.")]
internal sealed class TimeSeriesFlags : SeededDeviceFlags
{
    [CommandLine.Text.Usage(ApplicationAlias = "ilgpu-lstm")]
    public static IEnumerable<CommandLine.Text.Example> Examples => [new("the sine-wave lesson with a GRU, figures in ./plots", new TimeSeriesFlags { Cell = "gru", PlotDir = "plots" })];

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

    [Option("plot-dir", HelpText = "Write the lesson's figures (PNG) here.")]
    public string? PlotDir { get; set; }
}

/// <summary><c>timeseries</c>: the flags into <see cref="TimeSeriesOptions"/>, a <see cref="TimeSeriesLesson"/>, its lines and plots.</summary>
internal static class TimeSeriesVerb
{
    public static int Run(TimeSeriesFlags o, TextWriter output)
    {
        if (!CellKindExtensions.TryParse(o.Cell, out var cell))
            throw new UsageException($"unknown --cell '{o.Cell}' (known: rnn, gru, lstm)");
        var options = new TimeSeriesOptions
        {
            Cell = cell,
            HiddenSize = o.HiddenSize,
            NumLayers = o.NumLayers,
            Steps = o.Steps,
            SeqLength = o.SeqLength,
            PrintEvery = o.PrintEvery,
            LearningRate = o.LearningRate,
            Seed = o.SeedOrDefault,
        };
        // A plot directory that cannot be written is refused now, not after training.
        if (o.PlotDir != null) TimeSeriesPlots.EnsureWritable(o.PlotDir);
        using var device = ComputeDevice.Open(o.Accelerator);
        using var lesson = new TimeSeriesLesson(device, options);
        output.WriteLine($"{cell.ModuleName()}(1, {o.HiddenSize}, {o.NumLayers} layer{(o.NumLayers == 1 ? "" : "s")}) + Linear({o.HiddenSize}, 1): " +
            $"{lesson.Parameters:N0} parameters on {device.Description.Name}");
        var outcome = lesson.Train(r =>
        {
            output.WriteLine($"Step: {r.Step}... Loss: {r.Loss.ToString("G6", CultureInfo.InvariantCulture)}");
            if (o.PlotDir != null) TimeSeriesPlots.Step(o.PlotDir, r);
        });
        if (o.PlotDir != null)
            output.WriteLine($"plots: {TimeSeriesPlots.Loss(o.PlotDir, outcome.Losses)} and step-NNN.png beside it");
        return ExitCodes.Success;
    }
}
