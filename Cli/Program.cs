using CommandLine;
using IlgpuLstm.Cli.Verbs;
using IlgpuLstm.Engine;

namespace IlgpuLstm.Cli;

/// <summary>
/// The <c>ilgpu-lstm</c> entry point: parses the verb, runs it, and is the only place that turns
/// exceptions into the one-line <c>error: ...</c> message and an exit code (see <see cref="ExitCodes"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var parser = new Parser(s =>
        {
            s.CaseInsensitiveEnumValues = true;
            s.HelpWriter = null;
            s.AutoHelp = true;
            s.AutoVersion = true;
        });
        var result = parser.ParseArguments<TrainOptions, SampleOptions, EvalOptions, TimeSeriesOptions, DevicesOptions,
            SelfTestOptions, BenchOptions>(args);
        try
        {
            return result.MapResult(
                (TrainOptions o) => TrainVerb.Run(o, stdout),
                (SampleOptions o) => SampleVerb.Run(o, stdout),
                (EvalOptions o) => EvalVerb.Run(o, stdout),
                (TimeSeriesOptions o) => TimeSeriesVerb.Run(o, stdout),
                (DevicesOptions o) => DevicesVerb.Run(o, stdout),
                (SelfTestOptions o) => SelfTestVerb.Run(o, stdout),
                (BenchOptions o) => BenchVerb.Run(o, stdout),
                errors => Usage(result, errors.ToList(), stdout, stderr));
        }
        catch (EngineException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return ExitCodes.Error;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) != "1")
        {
            // A bug or an unforeseen device failure: still one line; the trace is one variable away.
            stderr.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} " +
                $"(set {DebugVariable}=1 for the stack trace, and please report it)");
            return ExitCodes.Error;
        }
    }

    /// <summary>Set to 1 to let unexpected exceptions through with their stack trace.</summary>
    public const string DebugVariable = "ILGPU_LSTM_DEBUG";

    private static int Usage<T>(ParserResult<T> result, List<Error> errors, TextWriter stdout, TextWriter stderr)
    {
        if (ParseErrors.IsHelpOrVersion(errors))
        {
            stdout.WriteLine(CommandLine.Text.HelpText.AutoBuild(result, h => h, e => e));
            return ExitCodes.Success;
        }
        stderr.WriteLine("error: " + ParseErrors.Describe(errors));
        return ExitCodes.Usage;
    }
}
