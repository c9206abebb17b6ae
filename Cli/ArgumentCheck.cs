using System.Collections;
using System.Reflection;
using CommandLine;

namespace IlgpuLstm.Cli;

/// <summary>
/// What CommandLineParser lets through silently, refused before it parses: a word the verb takes no
/// place for (<c>train mytext.txt</c> trained on the default corpus instead) and a flag at the end
/// that needs a value and has none (<c>train ... --corpus</c> trained on the default corpus too).
/// </summary>
internal static class ArgumentCheck
{
    /// <summary>The one-line problem with <paramref name="args"/>, or null where there is none to add to the parser's own checks.</summary>
    public static string? Problem(string[] args, IEnumerable<Type> verbs)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || args.Contains("--help") || args.Contains("--version")) return null;
        var verb = verbs.FirstOrDefault(v => v.GetCustomAttribute<VerbAttribute>()?.Name == args[0]);
        if (verb is null) return null;
        var properties = verb.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var takesValue = properties
            .Select(p => (Option: p.GetCustomAttribute<OptionAttribute>(), p.PropertyType))
            .Where(p => p.Option?.LongName is { Length: > 0 })
            .ToDictionary(p => "--" + p.Option!.LongName, p => p.PropertyType != typeof(bool));
        var values = properties.Where(p => p.GetCustomAttribute<ValueAttribute>() != null).ToList();
        bool unlimited = values.Any(p => p.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(p.PropertyType));
        int positional = 0;
        for (int i = 1; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (arg.Contains('=')) continue;
                if (!takesValue.TryGetValue(arg, out bool needs)) return null; // the parser names the unknown flag
                if (!needs) continue;
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    return $"{arg} needs a value (see ilgpu-lstm {args[0]} --help)";
                i++;
                continue;
            }
            if (arg.StartsWith('-') && !double.TryParse(arg, System.Globalization.CultureInfo.InvariantCulture, out _)) continue; // the parser names unknown flags
            if (unlimited || positional < values.Count)
            {
                positional++;
                continue;
            }
            bool checkpoint = takesValue.ContainsKey("--checkpoint") &&
                (arg.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || !takesValue.ContainsKey("--corpus"));
            string hint = checkpoint ? $"; to use that file, give it as --checkpoint {arg}"
                : takesValue.ContainsKey("--corpus") ? $"; to use that file, give it as --corpus {arg}"
                : $"; {args[0]} takes its input as flags (see ilgpu-lstm {args[0]} --help)";
            return $"unexpected argument '{arg}'{hint}";
        }
        return null;
    }
}
