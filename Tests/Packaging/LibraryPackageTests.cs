using System.Text.RegularExpressions;

namespace IlgpuLstm.Tests.Packaging;

/// <summary>
/// The README's "Use it from C#" Program.cs, exactly as written there, in a new console project
/// that references only the packed IlgpuLstm library: it restores, builds, trains, loads the
/// checkpoint it wrote and samples.
/// </summary>
[Collection(nameof(Packaging))]
public sealed partial class LibraryPackageTests : IDisposable
{
    private readonly TempDirectory dir = new();
    // A version of its own, so no earlier package of the same version in the NuGet cache stands in for this build.
    private readonly string version = $"0.0.0-readme.{Environment.ProcessId}.{DateTime.UtcNow.Ticks}";

    [SkippableFact]
    public void TheReadmeProgramRunsAgainstThePackedLibrary()
    {
        var repo = Dotnet.Repository();
        Skip.If(repo is null, "not run from a checkout of the repository");
        var corpora = Environment.GetEnvironmentVariable("ILGPU_LSTM_CORPORA");
        Skip.If(corpora is null || !File.Exists(Path.Combine(corpora.Split(':')[0], "tinyshakespeare.txt")),
            "ILGPU_LSTM_CORPORA does not name a directory with tinyshakespeare.txt (CI's .ci/run sets it)");
        string packages = Path.Combine(dir.Path, "nupkg"), app = Path.Combine(dir.Path, "app");
        foreach (var project in new[] { "Kernels", "Engine" })
            Dotnet.Run(Dotnet.Host, repo, null, "pack", project, "-c", "Release", "-o", packages, "--nologo", $"-p:Version={version}");
        Assert.True(File.Exists(Path.Combine(packages, $"IlgpuLstm.{version}.nupkg")));
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="IlgpuLstm" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeProgram(Path.Combine(repo, "README.md")));
        try
        {
            var output = Dotnet.Run(Dotnet.Host, app, new Dictionary<string, string> { ["ILGPU_LSTM_CORPORA"] = corpora! },
                "run", "-c", "Release");
            Assert.Matches(@"step 100: loss \d\.\d{3}, validation \d\.\d{3}", output);
            Assert.Contains("stopped (MaxSteps) after 100 steps", output, StringComparison.Ordinal);
            // The last thing printed: the prime and 200 new characters (one char each), then a newline.
            int prime = output.IndexOf("\nROMEO:", output.IndexOf("stopped (", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.True(prime > 0, output);
            Assert.Equal(200 + Environment.NewLine.Length, output.Length - (prime + "\nROMEO:".Length));
        }
        finally
        {
            // The unique version's copies in the user's NuGet cache are this test's alone.
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ??
                Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "ilgpulstm", "ilgpulstm.kernels" })
            {
                var copy = Path.Combine(cache, id, version);
                if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
            }
        }
    }

    /// <summary>The first csharp block under the README's "## Use it from C#" heading, as written.</summary>
    private static string ReadmeProgram(string readme)
    {
        var text = File.ReadAllText(readme);
        int section = text.IndexOf("\n## Use it from C#", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## Use it from C#' section");
        var block = CSharpBlock().Match(text, section);
        Assert.True(block.Success, "the section has no ```csharp block");
        return block.Groups[1].Value;
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    public void Dispose() => dir.Dispose();
}
