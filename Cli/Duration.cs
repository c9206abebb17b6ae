using System.Globalization;
using System.Text.RegularExpressions;
using IlgpuLstm.Engine;

namespace IlgpuLstm.Cli;

/// <summary>Parses durations such as <c>90s</c>, <c>10m</c>, <c>1h30m</c> or <c>00:10:00</c>.</summary>
internal static partial class Duration
{
    public static TimeSpan Parse(string text, string flag)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && text.Contains(':')) return Positive(span, text, flag);
        var match = Pattern().Match(text.Trim());
        if (!match.Success || match.Length == 0)
            throw new UsageException($"{flag} '{text}' is not a duration (examples: 90s, 10m, 1h30m, 00:10:00)");
        double Part(string name) => match.Groups[name].Success
            ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        return Positive(TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s")), text, flag);
    }

    private static TimeSpan Positive(TimeSpan span, string text, string flag) =>
        span > TimeSpan.Zero ? span : throw new UsageException($"{flag} must be positive, got '{text}'");

    [GeneratedRegex(@"^(?:(?<h>\d+(?:\.\d+)?)h)?(?:(?<m>\d+(?:\.\d+)?)m)?(?:(?<s>\d+(?:\.\d+)?)s)?$")]
    private static partial Regex Pattern();
}
