namespace IlgpuLstm;

/// <summary>One print step of the time-series lesson: the loss and what the lesson plots.</summary>
/// <param name="Step">The step, from 0.</param>
/// <param name="Loss">Its mean squared error.</param>
/// <param name="Time">The time points of the window (the lesson's x axis).</param>
/// <param name="Input">The sine values fed in.</param>
/// <param name="Prediction">The values predicted for the next time points.</param>
public sealed record TimeSeriesReport(int Step, double Loss, double[] Time, float[] Input, float[] Prediction);

/// <summary>The print-step reports and the loss of every step.</summary>
/// <param name="Reports">One report per print step.</param>
/// <param name="Losses">Every step's loss.</param>
public sealed record TimeSeriesOutcome(IReadOnlyList<TimeSeriesReport> Reports, float[] Losses);
