using System.Reflection;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// The commit a benchmark table comes from: the one the build stamped into the assembly (the SDK's
/// SourceLink adds it to the informational version, as <c>--version</c> prints), so an installed
/// tool or a GPU bundle without git names it too.
/// </summary>
internal static class BuildInfo
{
    public static string Commit()
    {
        var version = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = version?.IndexOf('+') ?? -1;
        return plus >= 0 && version!.Length > plus + 1 ? version[(plus + 1)..Math.Min(version.Length, plus + 8)] : "unknown";
    }
}
