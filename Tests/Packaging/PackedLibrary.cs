namespace IlgpuLstm.Tests.Packaging;

/// <summary>
/// The IlgpuLstm and IlgpuLstm.Kernels packages packed once for a test class, under a version of
/// their own (so no earlier package of the same version in the NuGet cache stands in for this
/// build), and console apps that reference them alone. The version's copies in the user's NuGet
/// cache are removed at the end.
/// </summary>
public sealed class PackedLibrary : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly string version = $"0.0.0-docs.{Environment.ProcessId}.{DateTime.UtcNow.Ticks}";
    private string? packages;

    /// <summary>The repository, or null when the tests run outside a checkout.</summary>
    public string? Repository { get; } = Dotnet.Repository();

    private string Packages()
    {
        if (packages != null) return packages;
        var output = Path.Combine(dir.Path, "nupkg");
        foreach (var project in new[] { "Kernels", "Engine" })
            Dotnet.Run(Dotnet.Host, Repository!, null, "pack", project, "-c", "Release", "-o", output, "--nologo", $"-p:Version={version}");
        Assert.True(File.Exists(Path.Combine(output, $"IlgpuLstm.{version}.nupkg")));
        return packages = output;
    }

    /// <summary>A new console app referencing the packed library (and <paramref name="references"/>, as Include/Version pairs) with these source files.</summary>
    public string App(string name, IReadOnlyDictionary<string, string> files, params (string Id, string Version)[] references)
    {
        string source = Packages(), app = Path.Combine(dir.Path, name);
        Directory.CreateDirectory(app);
        var extra = string.Concat(references.Select(r => $"""
                <PackageReference Include="{r.Id}" Version="{r.Version}" />

            """));
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
            {extra}  </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{source}" />
              </packageSources>
            </configuration>
            """);
        foreach (var (file, text) in files) File.WriteAllText(Path.Combine(app, file), text);
        return app;
    }

    public void Dispose()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ??
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "ilgpulstm", "ilgpulstm.kernels" })
        {
            var copy = Path.Combine(cache, id, version);
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        }
        dir.Dispose();
    }
}
