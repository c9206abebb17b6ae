using System.Reflection;
using System.Text.RegularExpressions;
using CommandLine;

namespace IlgpuLstm.Cli;

/// <summary>
/// The library's messages name options by their property names (<c>BatchSize must be at least 1</c>);
/// a verb's flags are properties of the same names, so the CLI says the flag instead (<c>--batch-size</c>).
/// </summary>
internal static partial class FlagNames
{
    public static string Translate(string message, Type? verbOptions)
    {
        if (verbOptions is null) return message;
        var flags = verbOptions.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p.Name, Flag: p.GetCustomAttribute<OptionAttribute>()?.LongName))
            .Where(p => p.Flag != null)
            .ToDictionary(p => p.Name, p => "--" + p.Flag);
        return PascalWord().Replace(message, m => flags.TryGetValue(m.Value, out var flag) ? flag : m.Value);
    }

    [GeneratedRegex(@"\b[A-Z][a-z]+(?:[A-Z][a-z]*)*\b")]
    private static partial Regex PascalWord();
}
