using System.Globalization;
using System.Text;
using IlgpuLstm.Engine.Training;
using Spectre.Console;

namespace IlgpuLstm.Cli;

/// <summary>
/// On a terminal, <c>train</c> keeps a live progress bar (Spectre.Console) under its lines: epoch,
/// losses, run time across resumes, percentage and time left. Redirected output (a file, a pipe,
/// the tests) gets the plain lines only, so logs stay clean.
/// </summary>
internal static class LiveProgress
{
    /// <summary>Whether <paramref name="output"/> is this process's console on an interactive terminal.</summary>
    public static bool Available(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="train"/> under the bar. It gets a writer whose lines print above the bar
    /// and an observer-side hook that moves the bar at every report.
    /// </summary>
    public static T Run<T>(Func<TextWriter, Action<TrainingReport>, T> train)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                using var lines = new LineWriter();
                result = train(lines, r =>
                {
                    task.MaxValue = Math.Max(1, r.TotalSteps);
                    task.Value = r.Step;
                    var val = r.ValLoss is { } v ? $", val {v.ToString("F4", CultureInfo.InvariantCulture)}" : "";
                    task.Description = Markup.Escape($"epoch {r.Epoch}/{r.Epochs}, step {r.Step:N0}/{r.TotalSteps:N0}, " +
                        $"loss {r.Loss.ToString("F4", CultureInfo.InvariantCulture)}{val}, {r.Elapsed:hh\\:mm\\:ss} run");
                    context.Refresh();
                });
            });
        return result;
    }

    /// <summary>Collects text until a newline, then prints the line through Spectre (above the live bar).</summary>
    private sealed class LineWriter : TextWriter
    {
        private readonly StringBuilder line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                AnsiConsole.WriteLine(line.ToString());
                line.Clear();
            }
            else if (value != '\r') line.Append(value);
        }

        protected override void Dispose(bool disposing)
        {
            if (line.Length > 0) AnsiConsole.WriteLine(line.ToString());
            line.Clear();
            base.Dispose(disposing);
        }
    }
}
