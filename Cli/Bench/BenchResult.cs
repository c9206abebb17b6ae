namespace IlgpuLstm.Cli.Bench;

/// <summary>One timed kernel: median milliseconds and the rate it implies.</summary>
internal sealed record BenchResult(string Op, string Shape, string Version, string Launch, double MedianMs,
    double Rate, string Unit, double MaxError);
