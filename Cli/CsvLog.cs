using System.Globalization;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli;

/// <summary>
/// <c>train --log FILE</c>: one CSV row per report, appended and flushed as it happens, so a plot
/// or a spreadsheet can follow a run (and a resumed run continues the same file).
/// </summary>
internal sealed class CsvLog : IDisposable
{
    public const string Header = "step,epoch,loss,val_loss,grad_norm,tokens_per_s,seconds";

    private readonly StreamWriter writer;

    private CsvLog(StreamWriter writer) => this.writer = writer;

    public static CsvLog Open(string path)
    {
        try
        {
            bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
            var writer = new StreamWriter(path, append: true) { AutoFlush = true };
            if (fresh) writer.WriteLine(Header);
            return new CsvLog(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot write --log file '{path}': {e.Message}");
        }
    }

    public void Append(TrainingReport r)
    {
        static string F(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        writer.WriteLine(string.Join(',', r.Step.ToString(CultureInfo.InvariantCulture), r.Epoch.ToString(CultureInfo.InvariantCulture),
            F(r.Loss), F(r.ValLoss), F(r.GradNorm), F(Math.Round(r.TokensPerSecond, 1)), F(Math.Round(r.Elapsed.TotalSeconds, 3))));
    }

    public void Dispose() => writer.Dispose();
}
