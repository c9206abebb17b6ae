using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli;

/// <summary>
/// <c>metrics.jsonl</c> beside a run's checkpoints: one JSON object per report (step, epoch,
/// train_loss, val_loss, grad_norm, lr, tokens_per_s, elapsed_s), flushed as written, so
/// <c>plot</c> or any script can follow a run; a resumed run appends to it. The file is created at
/// the first report, so a run refused before training leaves nothing behind.
/// </summary>
/// <param name="append">Continue the file (a resumed run) rather than start it anew.</param>
public sealed class MetricsLog(string path, bool append) : IDisposable
{
    private StreamWriter? writer;

    public void Append(TrainingReport r) => Writer().WriteLine(JsonSerializer.Serialize(new RunMetrics.Point(r.Step, r.Epoch,
        r.Loss, r.ValLoss, r.GradNorm, r.LearningRate, Math.Round(r.TokensPerSecond, 1), Math.Round(r.Elapsed.TotalSeconds, 3)),
        RunMetrics.Json));

    private StreamWriter Writer()
    {
        try
        {
            return writer ??= new StreamWriter(path, append) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write metrics file '{path}': {e.Message}");
        }
    }

    public void Dispose() => writer?.Dispose();
}

/// <summary>Reads a run's metrics: a <c>metrics.jsonl</c> file, or the checkpoint directory holding one.</summary>
public static class RunMetrics
{
    public sealed record Point(long Step, int Epoch, double TrainLoss, double? ValLoss, double GradNorm, double Lr,
        double TokensPerS, double ElapsedS);

    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static (string Name, List<Point> Points) Read(string run)
    {
        string path = Directory.Exists(run) ? Path.Combine(run, Engine.Training.CheckpointPlan.MetricsName) : run;
        if (!File.Exists(path))
            throw new EngineException(Directory.Exists(run)
                ? $"'{run}' has no {Engine.Training.CheckpointPlan.MetricsName} (runs write one beside their checkpoints)"
                : $"'{run}' is neither a checkpoint directory nor a metrics file");
        var points = new List<Point>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                points.Add(JsonSerializer.Deserialize<Point>(text, Json) ?? throw new JsonException("null"));
            }
            catch (JsonException)
            {
                throw new EngineException($"'{path}' line {line.ToString(CultureInfo.InvariantCulture)} is not a metrics record");
            }
        }
        if (points.Count == 0) throw new EngineException($"'{path}' holds no metrics yet");
        string name = Directory.Exists(run) ? Path.GetFileName(Path.GetFullPath(run).TrimEnd('/')) : Path.GetFileNameWithoutExtension(run);
        return (name, points);
    }
}
