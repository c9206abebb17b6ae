using System.Diagnostics;

namespace IlgpuLstm.Tests.Cli;

/// <summary>dotnet pack makes the ilgpu-lstm .NET tool, and the installed command runs (README's install line).</summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly TempDirectory dir = new();

    [SkippableFact]
    public void PackedToolInstallsAndRuns()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo != null && !File.Exists(Path.Combine(repo.FullName, "IlgpuLstm.sln"))) repo = repo.Parent;
        Skip.If(repo is null, "not run from a checkout of the repository");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        string packages = Path.Combine(dir.Path, "nupkg"), tools = Path.Combine(dir.Path, "tools");
        Run(dotnet, repo.FullName, "pack", "Cli", "-c", "Release", "-o", packages, "--nologo");
        Assert.Single(Directory.GetFiles(packages, "ilgpu-lstm.*.nupkg"));
        Run(dotnet, repo.FullName, "tool", "install", "--tool-path", tools, "--add-source", packages, "ilgpu-lstm");
        var output = Run(Path.Combine(tools, "ilgpu-lstm"), dir.Path, "devices");
        Assert.Contains("--accelerator auto picks:", output, StringComparison.Ordinal);
    }

    private static string Run(string file, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{file} {string.Join(' ', args)} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
        return stdout.Result;
    }

    public void Dispose() => dir.Dispose();
}
