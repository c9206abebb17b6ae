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
        using var run = new StepRunner(device, s, cell);
        long step = 0;
        void Step() => run.Step(++step);
        var spread = Timing.Measure(device, repeats, TimeSpan.FromSeconds(4), Step);
        double ms = spread.MedianMs;
        // Counted over two more steps, after warm-up: what every step of a run costs the device layer.
        var cost = StepCost.Of(s, cell, run.Model.Layout.Count);
        var counted = device.Counters.Snapshot();
        Step();
        Step();
        var after = device.Counters.Snapshot();
        return new TrainingBenchResult($"B{s.Batch} T{s.Steps} {s.Hidden}x{s.Layers} V{s.Vocab} p{s.Dropout:0.##}", cell.ModuleName(),
            run.Model.Layout.Count, ms, spread.MinMs, spread.MaxMs, spread.Runs, s.Batch * s.Steps / (ms / 1000), (device.BytesAllocated - before) / (1024.0 * 1024),
            PeakRss.MiB(), (after.Launches - counted.Launches) / 2.0, (after.Syncs - counted.Syncs) / 2.0,
            (after.Allocations - counted.Allocations) / 2.0, cost.Flops / 1e9, cost.Bytes / 1e6);
    }

    /// <summary>One phase of a profiled step: its time, its floating-point rate, and its share of the step.</summary>
    public sealed record Phase(string Name, double Ms, double Gflops, long Calls);

    /// <summary>A profiled step: the phases (averaged over the timed steps) and the whole step's time while profiled.</summary>
    public sealed record StepProfile(string Shape, string Cell, double StepMs, IReadOnlyList<Phase> Phases);

    /// <summary>
    /// Times every operation of <paramref name="steps"/> training steps after two warm-up steps,
    /// through <paramref name="profile"/> (already intercepting the device's operations).
    /// </summary>
    public static StepProfile Profile(ComputeDevice device, PhaseProfile profile, BenchShape s, CellKind cell, int steps)
    {
        profile.Batch = s.Batch;
        profile.Vocab = s.Vocab;
        using var run = new StepRunner(device, s, cell);
        double wallMs = 0;
        for (int step = 1; step <= steps + 2; step++)
        {
            if (step == 3) profile.Reset();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            run.Step(step);
            device.Synchronize();
            if (step >= 3) wallMs += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        var totals = profile.Totals;
        var phases = PhaseProfile.Phases.Select(p => (Name: p, Total: totals[p])).Where(t => t.Total.Calls > 0)
            .Select(t => new Phase(t.Name, t.Total.Ms / steps, t.Total.Ms > 0 ? t.Total.Flops / (t.Total.Ms * 1e6) : 0, t.Total.Calls / steps))
            .ToList();
        // What the step spends outside the operations: the batch upload, the loop, the waits.
        double between = wallMs / steps - phases.Sum(p => p.Ms);
        if (between > 0) phases.Add(new Phase("outside operations (batch upload, host loop)", between, 0, 0));
        return new StepProfile($"B{s.Batch} T{s.Steps} {s.Hidden}x{s.Layers} V{s.Vocab} p{s.Dropout:0.##}", cell.ModuleName(),
            wallMs / steps, phases);
    }

    /// <summary>A model, its state and optimizer at a shape, on random tokens: one whole training step per call.</summary>
    private sealed class StepRunner : IDisposable
    {
        private readonly RecurrentState state;
        private readonly Optimizer optimizer;
        private readonly int[] x, y;

        public StepRunner(ComputeDevice device, BenchShape s, CellKind cell)
        {
            Model = new CharRnn(device, new ModelConfig(cell, s.Vocab, s.Hidden, s.Layers, s.Dropout));
            Model.Initialize(1);
            Model.Prepare(s.Batch, s.Steps);
            state = Model.CreateState(s.Batch);
            optimizer = new Optimizer(device.Ops, Model.Store, new OptimizerSettings(OptimizerKind.Adam, 1e-3));
            var random = new Random(1);
            x = Enumerable.Range(0, s.Batch * s.Steps).Select(_ => random.Next(s.Vocab)).ToArray();
            y = Enumerable.Range(0, s.Batch * s.Steps).Select(_ => random.Next(s.Vocab)).ToArray();
        }

        public CharRnn Model { get; }

        /// <summary>Upload, forward, loss, backward, clip and Adam: what a step of train does.</summary>
        public void Step(long step)
        {
            Model.SetBatch(x, y);
            Model.Forward(state, training: true, 1, Trainer.DropoutStream(step));
            Model.Loss();
            Model.Backward(training: true);
            Model.ClipGradients(5f);
            optimizer.Step(Model.Scalars, CharRnn.ClipSlot);
        }

        public void Dispose()
        {
            state.Dispose();
            Model.Dispose();
        }
    }
}
