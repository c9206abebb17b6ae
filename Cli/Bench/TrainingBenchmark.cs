using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// One measured training configuration: time per step, throughput, device memory and the
/// process's peak resident memory so far (what a CPU user pays, runtime included).
/// </summary>
internal sealed record TrainingBenchResult(string Shape, string Cell, long Parameters, double MedianStepMs,
    double MinStepMs, double MaxStepMs, int TimedSteps, double TokensPerSecond, double DeviceMib, double PeakRssMib, double LaunchesPerStep, double SyncsPerStep,
    double AllocationsPerStep, double GflopPerStep, double MbMovedPerStep);

/// <summary>
/// Times whole training steps (upload, forward, loss, backward, clip, Adam) of the character
/// model at a shape, on random tokens: the number a user of <c>train</c> sees, without validation.
/// </summary>
internal static class TrainingBenchmark
{
    public static TrainingBenchResult Run(ComputeDevice device, BenchShape s, CellKind cell, int repeats)
    {
        long before = device.BytesAllocated;
        var config = new ModelConfig(cell, s.Vocab, s.Hidden, s.Layers, s.Dropout);
        using var model = new CharRnn(device, config);
        model.Initialize(1);
        model.Prepare(s.Batch, s.Steps);
        using var state = model.CreateState(s.Batch);
        var optimizer = new Optimizer(device.Ops, model.Store, new OptimizerSettings(OptimizerKind.Adam, 1e-3));
        var random = new Random(1);
        var x = Enumerable.Range(0, s.Batch * s.Steps).Select(_ => random.Next(s.Vocab)).ToArray();
        var y = Enumerable.Range(0, s.Batch * s.Steps).Select(_ => random.Next(s.Vocab)).ToArray();
        long step = 0;
        void Step()
        {
            step++;
            model.SetBatch(x, y);
            model.Forward(state, training: true, 1, Trainer.DropoutStream(step));
            model.Loss();
            model.Backward(training: true);
            model.ClipGradients(5f);
            optimizer.Step(model.Scalars, CharRnn.ClipSlot);
        }
        var spread = Timing.Measure(device, repeats, TimeSpan.FromSeconds(4), Step);
        double ms = spread.MedianMs;
        // Counted over two more steps, after warm-up: what every step of a run costs the device layer.
        var cost = StepCost.Of(s, cell, model.Layout.Count);
        var counted = device.Counters.Snapshot();
        Step();
        Step();
        var after = device.Counters.Snapshot();
        return new TrainingBenchResult($"B{s.Batch} T{s.Steps} {s.Hidden}x{s.Layers} V{s.Vocab} p{s.Dropout:0.##}", cell.ModuleName(),
            model.Layout.Count, ms, spread.MinMs, spread.MaxMs, spread.Runs, s.Batch * s.Steps / (ms / 1000), (device.BytesAllocated - before) / (1024.0 * 1024),
            PeakRss.MiB(), (after.Launches - counted.Launches) / 2.0, (after.Syncs - counted.Syncs) / 2.0,
            (after.Allocations - counted.Allocations) / 2.0, cost.Flops / 1e9, cost.Bytes / 1e6);
    }
}
