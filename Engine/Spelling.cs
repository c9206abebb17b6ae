namespace IlgpuLstm.Engine;

/// <summary>"Did you mean": the nearest known name to a misspelt one (flags, verbs, corpus names).</summary>
internal static class Spelling
{
    /// <summary>"; did you mean X?" when one candidate is within two edits (or a prefix or part of it was typed).</summary>
    public static string Suggest(string typed, IEnumerable<string> candidates, string prefix)
    {
        var best = candidates
            .Select(c => (Name: c, Distance: Distance(typed.ToLowerInvariant(), c)))
            .Where(c => c.Distance <= Math.Max(2, typed.Length / 4) || (typed.Length >= 3 &&
                (c.Name.StartsWith(typed, StringComparison.Ordinal) || c.Name.Contains(typed, StringComparison.OrdinalIgnoreCase))))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name is null ? "" : $"; did you mean {prefix}{best.Name}?";
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
