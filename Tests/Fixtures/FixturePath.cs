namespace IlgpuLstm.Tests.Fixtures;

/// <summary>Locates the committed fixture files (copied next to the test assembly).</summary>
public static class FixturePath
{
    public static string Of(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}
