using System.Reflection;
using System.Xml.Linq;
using IlgpuLstm.Tests.Packaging;

namespace IlgpuLstm.Tests.Api;

/// <summary>
/// The public surface changes only on purpose: it is recorded in Engine/PublicAPI.txt, every
/// member of it is documented, and no ILGPU type shows in it except in obsolete members.
/// </summary>
public sealed class PublicApiTests
{
    /// <summary>Set to 1 to rewrite Engine/PublicAPI.txt from the build (then review the diff).</summary>
    private const string UpdateVariable = "ILGPU_LSTM_UPDATE_API";

    private static readonly Assembly Library = typeof(CharModel).Assembly;

    [SkippableFact]
    public void TheSurfaceIsTheRecordedOne()
    {
        var repo = Dotnet.Repository();
        Skip.If(repo is null, "not run from a checkout of the repository");
        var file = Path.Combine(repo, "Engine", "PublicAPI.txt");
        var actual = PublicApi.Of(Library).Select(e => e.Line).ToList();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
            File.WriteAllLines(file, actual);
        var recorded = File.Exists(file) ? File.ReadAllLines(file).ToList() : [];
        var added = actual.Except(recorded, StringComparer.Ordinal).ToList();
        var removed = recorded.Except(actual, StringComparer.Ordinal).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            $"the public API differs from Engine/PublicAPI.txt (run the tests with {UpdateVariable}=1 to record it, and review the diff):\n" +
            string.Join("\n", added.Select(a => "+ " + a).Concat(removed.Select(r => "- " + r))));
    }

    [Fact]
    public void EveryPublicMemberIsDocumented()
    {
        var xml = Path.ChangeExtension(Library.Location, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing (GenerateDocumentationFile)");
        var documented = XDocument.Load(xml).Descendants("member")
            .Where(m => m.Element("summary") is { } s && s.Value.Trim().Length > 0 || m.Element("inheritdoc") != null)
            .Select(m => (string)m.Attribute("name")!)
            .ToHashSet(StringComparer.Ordinal);
        // A parameterless constructor the compiler adds (options records) is the type's own, documented with it.
        var missing = PublicApi.Of(Library)
            .Where(e => !documented.Contains(e.Id) && !(e.Member is ConstructorInfo { IsStatic: false } c && c.GetParameters().Length == 0))
            .Select(e => e.Id).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} public members have no <summary>:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void NoIlgpuTypeShowsOutsideObsoleteMembers()
    {
        var leaks = new List<string>();
        foreach (var entry in PublicApi.Of(Library))
        {
            if (entry.Member.IsDefined(typeof(ObsoleteAttribute), false)) continue;
            var types = entry.Member switch
            {
                MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                PropertyInfo p => [p.PropertyType],
                FieldInfo f => [f.FieldType],
                Type t => t.GetInterfaces().Append(t.BaseType ?? typeof(object)),
                _ => [],
            };
            leaks.AddRange(types.SelectMany(Flatten).Where(t => t.Namespace?.StartsWith("ILGPU", StringComparison.Ordinal) == true)
                .Select(t => $"{entry.Id}: {t.FullName}"));
        }
        Assert.True(leaks.Count == 0, "ILGPU types in the public surface:\n" + string.Join("\n", leaks));
    }

    [Fact]
    public void DocumentationIdsAreTheCompilers()
    {
        // The ids the API file and the docs check use, for shapes the library has: generics, nullables, arrays, byrefs.
        Assert.Equal("System.Collections.Generic.IReadOnlyList{IlgpuLstm.TrainingReport}",
            PublicApi.TypeId(typeof(IReadOnlyList<TrainingReport>)));
        Assert.Equal("System.Nullable{System.Double}", PublicApi.TypeId(typeof(double?)));
        Assert.Equal("System.Single[][]", PublicApi.TypeId(typeof(float[][])));
        Assert.Equal("System.Int32@", PublicApi.TypeId(typeof(int).MakeByRefType()));
        var ids = PublicApi.Of(Library).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("M:IlgpuLstm.CharModel.Load(System.IO.Stream,IlgpuLstm.ComputeDevice,System.String)", ids);
        Assert.Contains("P:IlgpuLstm.TrainingResult.Reason", ids);
        Assert.DoesNotContain("M:IlgpuLstm.TrainingResult.Equals(System.Object)", ids);
    }

    private static IEnumerable<Type> Flatten(Type t)
    {
        yield return t;
        if (t.HasElementType)
            foreach (var e in Flatten(t.GetElementType()!)) yield return e;
        if (t.IsGenericType)
            foreach (var a in t.GetGenericArguments().SelectMany(Flatten)) yield return a;
    }
}
