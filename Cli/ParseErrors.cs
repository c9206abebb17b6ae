using System.Reflection;
using CommandLine;

namespace IlgpuLstm.Cli;

/// <summary>
/// Turns CommandLineParser's errors into the one line we print: what is wrong, what is valid,
/// and for a misspelt verb or flag the nearest real one ("did you mean").
/// </summary>
internal static class ParseErrors
{
    public static bool IsHelpOrVersion(IEnumerable<Error> errors) =>
        errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError
            or ErrorType.VersionRequestedError);

    /// <param name="args">The command line as given.</param>
    /// <param name="verbs">The verbs' option classes.</param>
    public static string Describe(IEnumerable<Error> errors, string[] args, IReadOnlyList<Type> verbs)
    {
        var first = errors.FirstOrDefault();
        var verb = verbs.FirstOrDefault(t => t.GetCustomAttribute<VerbAttribute>()?.Name == args.FirstOrDefault());
        string verbName = verb?.GetCustomAttribute<VerbAttribute>()?.Name ?? "";
        string message = first switch
        {
            BadFormatConversionError e => BadValue(e.NameInfo.LongName, args, verb),
            UnknownOptionError e => $"unknown option '{e.Token}' for {verbName}" +
                Suggest(e.Token.TrimStart('-'), Options(verb).Select(o => o.LongName), "--"),
            BadVerbSelectedError e => $"unknown verb '{e.Token}'" +
                Suggest(e.Token, verbs.Select(t => t.GetCustomAttribute<VerbAttribute>()!.Name), "") +
                $" (verbs: {string.Join(", ", verbs.Select(t => t.GetCustomAttribute<VerbAttribute>()!.Name))})",
            NoVerbSelectedError => "no verb given (verbs: " +
                string.Join(", ", verbs.Select(t => t.GetCustomAttribute<VerbAttribute>()!.Name)) + ")",
            MissingRequiredOptionError e when string.IsNullOrEmpty(e.NameInfo.LongName) => MissingValue(verb),
            MissingRequiredOptionError e => $"missing required option --{e.NameInfo.LongName}",
            MissingValueOptionError e => $"option --{e.NameInfo.LongName} needs a value{Expected(Option(verb, e.NameInfo.LongName))}",
            RepeatedOptionError e => $"option --{e.NameInfo.LongName} given twice",
            SequenceOutOfRangeError e => $"wrong number of values for {e.NameInfo.NameText}",
            null => "invalid command line",
            _ => $"invalid command line ({first.Tag})",
        };
        return message + $" (run 'ilgpu-lstm {(verbName.Length > 0 ? verbName + " " : "")}--help')";
    }

    private static string BadValue(string name, string[] args, Type? verb)
    {
        int at = Array.FindIndex(args, a => a == "--" + name);
        string given = at >= 0 && at + 1 < args.Length ? args[at + 1]
            : args.FirstOrDefault(a => a.StartsWith("--" + name + "=", StringComparison.Ordinal))?[(name.Length + 3)..] ?? "";
        return $"invalid value '{given}' for --{name}{Expected(Option(verb, name))}";
    }

    /// <summary>": expected a whole number" and the like, from the option's property type.</summary>
    private static string Expected(PropertyInfo? property)
    {
        if (property is null) return "";
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type.IsEnum)
            return ": expected one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant() == "ilgpucpu" ? "ilgpu-cpu" : n.ToLowerInvariant()));
        if (type == typeof(int) || type == typeof(long)) return ": expected a whole number";
        if (type == typeof(double) || type == typeof(float)) return ": expected a number such as 0.002 or 2e-3";
        if (type == typeof(ulong)) return ": expected a non-negative whole number";
        return "";
    }

    private static string MissingValue(Type? verb)
    {
        var value = verb?.GetProperties().Select(p => p.GetCustomAttribute<ValueAttribute>()).FirstOrDefault(v => v != null);
        return value is null ? "a required value is missing" : $"missing {value.MetaName}: {value.HelpText}";
    }

    private static IEnumerable<OptionAttribute> Options(Type? verb) =>
        verb?.GetProperties().Select(p => p.GetCustomAttribute<OptionAttribute>()).OfType<OptionAttribute>() ?? [];

    private static PropertyInfo? Option(Type? verb, string name) =>
        verb?.GetProperties().FirstOrDefault(p => p.GetCustomAttribute<OptionAttribute>()?.LongName == name);

    /// <summary>"; did you mean X?" (see <see cref="Engine.Spelling.Suggest"/>).</summary>
    public static string Suggest(string typed, IEnumerable<string> candidates, string prefix) => Engine.Spelling.Suggest(typed, candidates, prefix);
}
