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
    }

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
