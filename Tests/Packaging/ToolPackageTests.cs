namespace IlgpuLstm.Tests.Packaging;

/// <summary>dotnet pack makes the ilgpu-lstm .NET tool, and the installed command runs (README's install line).</summary>
[Collection(nameof(Packaging))]
public sealed class ToolPackageTests : IDisposable
{
    private readonly TempDirectory dir = new();

    [SkippableFact]
    public void PackedToolInstallsAndRuns()
    {
        var repo = Dotnet.Repository();
        Skip.If(repo is null, "not run from a checkout of the repository");
        string packages = Path.Combine(dir.Path, "nupkg"), tools = Path.Combine(dir.Path, "tools");
        Dotnet.Run(Dotnet.Host, repo, null, "pack", "Cli", "-c", "Release", "-o", packages, "--nologo");
        Assert.Single(Directory.GetFiles(packages, "ilgpu-lstm.*.nupkg"));
        Dotnet.Run(Dotnet.Host, repo, null, "tool", "install", "--tool-path", tools, "--add-source", packages, "ilgpu-lstm");
        var output = Dotnet.Run(Path.Combine(tools, "ilgpu-lstm"), dir.Path, null, "devices");
        Assert.Contains("--accelerator auto picks:", output, StringComparison.Ordinal);
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>The packaging tests build the same projects in Release: one at a time.</summary>
[CollectionDefinition(nameof(Packaging))]
public sealed class Packaging;
