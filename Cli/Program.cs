using CommandLine;
using IlgpuLstm.Cli.Verbs;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Cli;

/// <summary>
/// The <c>ilgpu-lstm</c> entry point: parses the verb, runs it, and is the only place that turns
/// exceptions into the one-line <c>error: ...</c> message and an exit code (see <see cref="ExitCodes"/>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        // ILGPU reports what it skips (a CUDA device it cannot use, the PTX JIT's log) only through Trace.
        if (Environment.GetEnvironmentVariable(DebugVariable) == "1")
            System.Diagnostics.Trace.Listeners.Add(new System.Diagnostics.TextWriterTraceListener(Console.Error));
        return Run(args, Console.Out, Console.Error);
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        args = NormalizeAccelerator(args);
        if (ArgumentCheck.Problem(args, Verbs) is { } problem)
        {
            stderr.WriteLine("error: " + problem);
            return ExitCodes.Usage;
        }
        using var parser = CreateParser(helpWriter: null);
        var result = Parse(parser, args);
        try
        {
            return result.MapResult(
                (TrainOptions o) => TrainVerb.Run(o, stdout),
                (SampleOptions o) => SampleVerb.Run(o, stdout),
                (EvalOptions o) => EvalVerb.Run(o, stdout),
                (InspectOptions o) => InspectVerb.Run(o, stdout),
                (ExportOptions o) => ExportVerb.Run(o, stdout),
                (PlotOptions o) => PlotVerb.Run(o, stdout),
                (TimeSeriesFlags o) => TimeSeriesVerb.Run(o, stdout),
                (ForecastFlags o) => ForecastVerb.Run(o, stdout),
                (DevicesOptions o) => DevicesVerb.Run(o, stdout),
                (SelfTestOptions o) => SelfTestVerb.Run(o, stdout),
                (BenchOptions o) => BenchVerb.Run(o, stdout),
                errors => Usage(args, errors.ToList(), stdout, stderr));
        }
        catch (Exception e) when (e is UsageException or OptionOutOfRangeException)
        {
            stderr.WriteLine("error: " + FlagNames.Translate(e.Message, result.Value?.GetType()));
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is EngineException or FileNotFoundException)
        {
            stderr.WriteLine("error: " + FlagNames.Translate(e.Message, result.Value?.GetType()));
            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C before the first step: the run had not begun, so nothing was written.
            stderr.WriteLine("stopped before training began; nothing was written");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) != "1")
        {
            // A bug or an unforeseen device failure: still one line; the trace is one variable away.
            stderr.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} " +
                $"(set {DebugVariable}=1 for the stack trace, and please report it)");
            return ExitCodes.Error;
        }
    }

    /// <summary>
    /// "--accelerator ilgpu-cpu" to the enum member's name, which the parser matches, and "-h"
    /// to "--help" (the parser knows only the long form).
    /// </summary>
    private static string[] NormalizeAccelerator(string[] args)
    {
        var copy = (string[])args.Clone();
        for (int i = 0; i < copy.Length; i++)
        {
            if (copy[i] == "-h") copy[i] = "--help";
            if (copy[i] == "--accelerator" && i + 1 < copy.Length) copy[i + 1] = AcceleratorNames.Normalize(copy[i + 1]);
            else if (copy[i].StartsWith("--accelerator=", StringComparison.Ordinal))
                copy[i] = "--accelerator=" + AcceleratorNames.Normalize(copy[i]["--accelerator=".Length..]);
        }
        return copy;
    }

    /// <summary>Set to 1 to let unexpected exceptions through with their stack trace, and ILGPU's trace messages onto stderr.</summary>
    public const string DebugVariable = "ILGPU_LSTM_DEBUG";

    private static Parser CreateParser(TextWriter? helpWriter) => new(s =>
    {
        s.CaseInsensitiveEnumValues = true;
        s.HelpWriter = helpWriter;
        s.AutoHelp = true;
        s.AutoVersion = true;
    });

    private static readonly Type[] Verbs =
    [
        typeof(TrainOptions), typeof(SampleOptions), typeof(EvalOptions), typeof(InspectOptions), typeof(ExportOptions), typeof(PlotOptions),
        typeof(TimeSeriesFlags), typeof(ForecastFlags), typeof(DevicesOptions), typeof(SelfTestOptions), typeof(BenchOptions),
    ];

    private static ParserResult<object> Parse(Parser parser, string[] args) => parser.ParseArguments(args, Verbs);

    /// <summary>Whether a command line parses, without running it (tests check every help example).</summary>
    internal static bool Parses(string[] args)
    {
        using var parser = CreateParser(helpWriter: null);
        return Parse(parser, NormalizeAccelerator(args)).Tag == ParserResultType.Parsed;
    }

    private static int Usage(string[] args, List<Error> errors, TextWriter stdout, TextWriter stderr)
    {
        if (ParseErrors.IsHelpOrVersion(errors))
        {
            // Asked for: let the library write its full help (verb list or one verb's flags) to stdout.
            using var helpParser = CreateParser(stdout);
            Parse(helpParser, args);
            if (args.Length > 0 && !args[0].StartsWith('-')) HelpExamples.Write(args[0], stdout);
            return ExitCodes.Success;
        }
        stderr.WriteLine("error: " + ParseErrors.Describe(errors, args, Verbs));
        return ExitCodes.Usage;
    }
}
