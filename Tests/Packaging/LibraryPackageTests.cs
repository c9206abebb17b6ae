using System.Text.RegularExpressions;

namespace IlgpuLstm.Tests.Packaging;

/// <summary>
/// The README's "Use it from C#" Program.cs and every example of docs/library.md, exactly as
/// written there, in new console projects that reference only the packed IlgpuLstm library: they
/// restore, build and run.
/// </summary>
[Collection(nameof(Packaging))]
public sealed partial class LibraryPackageTests(PackedLibrary library) : IClassFixture<PackedLibrary>
{
    private static string? Corpora() => Environment.GetEnvironmentVariable("ILGPU_LSTM_CORPORA");

    [SkippableFact]
    public void TheReadmeProgramRunsAgainstThePackedLibrary()
    {
        var repo = library.Repository;
        Skip.If(repo is null, "not run from a checkout of the repository");
        var corpora = Corpora();
        Skip.If(corpora is null || !File.Exists(Path.Combine(corpora.Split(':')[0], "tinyshakespeare.txt")),
            "ILGPU_LSTM_CORPORA does not name a directory with tinyshakespeare.txt (CI's .ci/run sets it)");
        var app = library.App("readme", new Dictionary<string, string> { ["Program.cs"] = ReadmeProgram(Path.Combine(repo, "README.md")) });
        var output = Dotnet.Run(Dotnet.Host, app, new Dictionary<string, string> { ["ILGPU_LSTM_CORPORA"] = corpora! }, "run", "-c", "Release");
        Assert.Matches(@"step 100: loss \d\.\d{3}, validation \d\.\d{3}", output);
        Assert.Contains("stopped (MaxSteps) after 100 steps", output, StringComparison.Ordinal);
        // The last thing printed: the prime and 200 new characters (one char each), then a newline.
        int prime = output.IndexOf("\nROMEO:", output.IndexOf("stopped (", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(prime > 0, output);
        Assert.Equal(200 + Environment.NewLine.Length, output.Length - (prime + "\nROMEO:".Length));
    }

    [SkippableFact]
    public void EveryExampleOfTheLibraryGuideRunsAgainstThePackedLibrary()
    {
        var repo = library.Repository;
        Skip.If(repo is null, "not run from a checkout of the repository");
        var blocks = CSharpBlock().Matches(File.ReadAllText(Path.Combine(repo, "docs", "library.md"))).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(7, blocks.Count);
        // Each block as the body of a method of its own, run in the guide's order.
        var files = new Dictionary<string, string>();
        for (int i = 0; i < blocks.Count; i++)
            files[$"Example{i}.cs"] = $$"""
                using IlgpuLstm;
                using Microsoft.ML.OnnxRuntime;

                internal static class Example{{i}}
                {
                    public static async Task Run()
                    {
                        await Task.CompletedTask;
                {{blocks[i]}}
                    }
                }
                """;
        files["Program.cs"] = string.Concat(Enumerable.Range(0, blocks.Count).Select(i =>
            $"Console.WriteLine(\"== example {i}\");\nawait Example{i}.Run();\n"));
        var app = library.App("guide", files, ("Microsoft.ML.OnnxRuntime", OnnxRuntimeVersion(repo)));
        var output = Dotnet.Run(Dotnet.Host, app, null, "run", "-c", "Release");
        Assert.Matches(@"trained 60 steps, loss \d\.\d{3}", output);
        Assert.Matches(@"Interrupted after step 11; resume from .*resume\.safetensors", output);
        Assert.Contains("resumed from step 20 to 40", output, StringComparison.Ordinal);
        Assert.Matches(@"after 'To be, or not to b': '.' with p = [01]\.\d\d", output);
        Assert.Matches(@"\d+\.\d\d bits per character", output);
        Assert.Matches(@"== example 4\nTo be.{80}\n== example 5", output.ReplaceLineEndings("\n"));
        var differ = Regex.Match(output, @"differ by at most (\S+)");
        Assert.True(differ.Success && double.Parse(differ.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 1e-4, output);
        Assert.Matches(@"Cpu 0: host code .*\(CPU\)", output);
        Assert.Matches(@"using \S", output);
    }

    /// <summary>The ONNX Runtime version the tests build against, from Directory.Packages.props.</summary>
    private static string OnnxRuntimeVersion(string repo) =>
        Regex.Match(File.ReadAllText(Path.Combine(repo, "Directory.Packages.props")),
            "Include=\"Microsoft.ML.OnnxRuntime\" Version=\"([^\"]+)\"").Groups[1].Value;

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
}
