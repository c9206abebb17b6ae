using System.Diagnostics;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Sampling;

namespace IlgpuLstm.Cli.Bench;

/// <summary>Characters per second of the lesson's sampling (batch 1, top-k 5) from a randomly initialised model.</summary>
internal sealed record SamplingBenchResult(string Model, string Cell, int Characters, double CharsPerSecond);

internal static class SamplingBenchmark
{
    public static SamplingBenchResult Run(ComputeDevice device, BenchShape s, CellKind cell, int length)
    {
        // 83 symbols as in anna.txt; which ones does not matter to the speed.
        var vocabulary = Vocabulary.FromText(new string(Enumerable.Range(0, s.Vocab).Select(i => (char)('!' + i)).ToArray()));
        using var model = new CharRnn(device, new ModelConfig(cell, vocabulary.Count, s.Hidden, s.Layers, 0f));
        model.Initialize(1);
        var sampler = new Sampler(model, vocabulary);
        var options = new SamplingOptions { Length = length, TopK = 5 };
        sampler.Sample("!", options with { Length = 10 }, _ => { }); // warm-up
        var watch = Stopwatch.StartNew();
        sampler.Sample("!", options, _ => { });
        double seconds = watch.Elapsed.TotalSeconds;
        return new SamplingBenchResult($"{s.Hidden}x{s.Layers} V{s.Vocab}", cell.ModuleName(), length, length / seconds);
    }
}
