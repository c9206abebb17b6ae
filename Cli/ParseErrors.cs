using CommandLine;

namespace IlgpuLstm.Cli;

/// <summary>Turns CommandLineParser's errors into the one line we print.</summary>
public static class ParseErrors
{
    public static bool IsHelpOrVersion(IEnumerable<Error> errors) =>
        errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError
            or ErrorType.VersionRequestedError);

    public static string Describe(IEnumerable<Error> errors)
    {
        var first = errors.FirstOrDefault();
        string message = first switch
        {
            BadFormatConversionError e => $"invalid value for --{e.NameInfo.LongName}",
            UnknownOptionError e => $"unknown option '{e.Token}'",
            BadVerbSelectedError e => $"unknown verb '{e.Token}'",
            NoVerbSelectedError => "no verb given",
            MissingRequiredOptionError e => $"missing required option --{e.NameInfo.LongName}",
            MissingValueOptionError e => $"option --{e.NameInfo.LongName} needs a value",
            RepeatedOptionError e => $"option --{e.NameInfo.LongName} given twice",
            SequenceOutOfRangeError e => $"wrong number of values for {e.NameInfo.NameText}",
            null => "invalid command line",
            _ => $"invalid command line ({first.Tag})",
        };
        return message + " (run 'ilgpu-lstm help' or 'ilgpu-lstm help VERB')";
    }
}
