using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// <c>metrics.jsonl</c> beside a run's checkpoints: one JSON object per report (step, epoch,
/// train_loss, val_loss, grad_norm, lr, tokens_per_s, elapsed_s), flushed as written, so
/// <c>plot</c> or any script can follow a run; a resumed run appends to it. The file is created at
/// the first report, so a run refused before training leaves nothing behind.
/// </summary>
/// <param name="path">The file (<c>DIR/metrics.jsonl</c>).</param>
/// <param name="append">Continue the file (a resumed run) rather than start it anew.</param>
internal sealed class MetricsLog(string path, bool append) : IDisposable
{
    private StreamWriter? writer;

    public void Append(TrainingReport r) => Writer().WriteLine(JsonSerializer.Serialize(new RunMetrics.Point(r.Step, r.Epoch,
        r.Loss, r.ValLoss, r.GradNorm, r.LearningRate, Math.Round(r.TokensPerSecond, 1), Math.Round(r.Elapsed.TotalSeconds, 3)),
        RunMetrics.Json));

    private StreamWriter Writer()
    {
        try
        {
            if (writer != null) return writer;
            var stream = new FileStream(path, append ? FileMode.OpenOrCreate : FileMode.Create, FileAccess.ReadWrite);
            if (append) DropTornLine(stream);
            stream.Seek(0, SeekOrigin.End);
            return writer = new StreamWriter(stream) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write metrics file '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// A last line without its newline is a record a kill -9 cut short: it is removed before the
    /// resumed run appends, so the file stays one whole record a line.
    /// </summary>
    private static void DropTornLine(FileStream stream)
    {
        if (stream.Length == 0) return;
        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() == '\n') return;
        long end = stream.Length;
        var buffer = new byte[4096];
        while (end > 0)
        {
            int count = (int)Math.Min(buffer.Length, end);
            stream.Seek(end - count, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            int newline = Array.LastIndexOf(buffer, (byte)'\n', count - 1);
            if (newline >= 0)
            {
                stream.SetLength(end - count + newline + 1);
                return;
            }
            end -= count;
        }
        stream.SetLength(0);
    }

    public void Dispose() => writer?.Dispose();
}

/// <summary>Reads a run's metrics: a <c>metrics.jsonl</c> file, or the checkpoint directory holding one.</summary>
internal static class RunMetrics
{
    public sealed record Point(long Step, int Epoch, double TrainLoss, double? ValLoss, double GradNorm, double Lr,
        double TokensPerS, double ElapsedS);

    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static (string Name, List<Point> Points) Read(string run)
    {
        string path = Directory.Exists(run) ? Path.Combine(run, CheckpointPlan.MetricsName) : run;
        if (!File.Exists(path))
            throw new EngineException(Directory.Exists(run)
                ? $"'{run}' has no {CheckpointPlan.MetricsName} (runs write one beside their checkpoints)"
                : $"'{run}' is neither a checkpoint directory nor a metrics file");
        var points = new List<Point>();
        string all;
        try
        {
            all = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot read '{path}': {e.Message}");
        }
        var lines = all.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var text = lines[i];
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                points.Add(JsonSerializer.Deserialize<Point>(text, Json) ?? throw new JsonException("null"));
            }
            catch (JsonException) when (i == lines.Length - 1)
            {
                // The last line without its newline: a record a kill -9 cut short, not a bad file.
            }
            catch (JsonException)
            {
                throw new EngineException($"'{path}' line {(i + 1).ToString(CultureInfo.InvariantCulture)} is not a metrics record");
            }
        }
        if (points.Count == 0) throw new EngineException($"'{path}' holds no metrics yet");
        // A run's own metrics.jsonl is named by its directory, as the directory is (not "metrics").
        string named = Directory.Exists(run) || Path.GetFileName(run) != CheckpointPlan.MetricsName ? run
            : Path.GetDirectoryName(Path.GetFullPath(run)) ?? run;
        string name = Directory.Exists(named) ? Path.GetFileName(Path.GetFullPath(named).TrimEnd('/')) : Path.GetFileNameWithoutExtension(named);
        return (name, points);
    }
}
