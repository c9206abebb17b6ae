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
    [Option("cell", HelpText = "rnn, gru or lstm (default rnn).")]
    public string Cell { get; set; } = "rnn";

    [Option("hidden-size", HelpText = "Units per recurrent layer (default 32).")]
    public int HiddenSize { get; set; } = 32;

    [Option("num-layers", HelpText = "Recurrent layers (default 1).")]
    public int NumLayers { get; set; } = 1;

    [Option("steps", HelpText = "Training steps (one half-period window each) (default 75).")]
    public int Steps { get; set; } = 75;

    [Option("seq-length", HelpText = "Points per window (default 20).")]
    public int SeqLength { get; set; } = 20;

    [Option("print-every", HelpText = "Print (and plot) every N steps, from step 0 (default 15).")]
    public int PrintEvery { get; set; } = 15;

    [Option("lr", HelpText = "Adam learning rate (default 0.01).")]
    public double LearningRate { get; set; } = 0.01;

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
