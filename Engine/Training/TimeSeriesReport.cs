namespace IlgpuLstm;

/// <summary>One print step of the time-series lesson: the loss and what the lesson plots.</summary>
public sealed record TimeSeriesReport(int Step, double Loss, double[] Time, float[] Input, float[] Prediction);

/// <summary>The print-step reports and the loss of every step.</summary>
public sealed record TimeSeriesOutcome(IReadOnlyList<TimeSeriesReport> Reports, float[] Losses);
