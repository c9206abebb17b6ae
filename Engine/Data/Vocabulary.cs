using System.Text;

namespace IlgpuLstm.Engine.Data;

/// <summary>
/// The model's symbols: the distinct Unicode characters (code points, so text beyond the BMP
/// works) of a text, sorted by code point, as in nanoGPT's prepare.py. Stored in every checkpoint.
/// </summary>
internal sealed class Vocabulary
{
    /// <summary>Largest vocabulary accepted: token ids are stored in 16 bits (<see cref="TokenSequence"/>).</summary>
    public const int MaxSize = 65536;

    private readonly Dictionary<int, int> indexOf = [];

    public Vocabulary(IReadOnlyList<string> symbols)
    {
        if (symbols.Count == 0) throw new EngineException("the vocabulary is empty");
        if (symbols.Count > MaxSize)
            throw new EngineException($"vocabulary has {symbols.Count} symbols, more than the {MaxSize} supported (is this character-level text?)");
        Symbols = symbols;
        for (int i = 0; i < symbols.Count; i++)
        {
            var s = symbols[i];
            if (!Rune.TryGetRuneAt(s, 0, out var rune) || rune.Utf16SequenceLength != s.Length)
                throw new EngineException($"vocabulary entry {i} is not a single character: {Quote(s)}");
            if (!indexOf.TryAdd(rune.Value, i))
                throw new EngineException($"vocabulary entry {i} repeats {Quote(s)}");
        }
    }

    public IReadOnlyList<string> Symbols { get; }

    public int Count => Symbols.Count;

    public static Vocabulary FromText(string text) =>
        new(text.EnumerateRunes().Select(r => r.Value).Distinct().Order().Select(v => new Rune(v).ToString()).ToList());

    /// <summary>Encodes text; characters outside the vocabulary are refused, listed in the message.</summary>
    public int[] Encode(string text, string what)
    {
        var ids = new List<int>(text.Length);
        var unknown = new SortedSet<int>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (indexOf.TryGetValue(rune.Value, out int id)) ids.Add(id);
            else unknown.Add(rune.Value);
        }
        if (unknown.Count > 0)
            throw new EngineException($"{what} has {unknown.Count} character(s) not in the model's vocabulary: " +
                string.Join(" ", unknown.Take(20).Select(v => Quote(new Rune(v).ToString()))) + (unknown.Count > 20 ? " ..." : ""));
        return [.. ids];
    }

    /// <summary>Characters of <paramref name="other"/> missing here (for fine-tuning checks).</summary>
    public IReadOnlyList<string> Missing(Vocabulary other) =>
        other.Symbols.Where(s => !indexOf.ContainsKey(Rune.GetRuneAt(s, 0).Value)).ToList();

    public string Decode(int id) => Symbols[id];

    /// <summary>The id of a Unicode code point, if it is in the vocabulary.</summary>
    public bool TryGetId(int codePoint, out int id) => indexOf.TryGetValue(codePoint, out id);

    public static string Quote(string s) => s switch
    {
        "\n" => "'\\n'",
        "\t" => "'\\t'",
        "\r" => "'\\r'",
        // Code points make look-alikes and invisible characters unambiguous; plain ASCII needs none.
        _ when Rune.GetRuneAt(s, 0).Value is > 0x20 and < 0x7F => $"'{s}'",
        // A control character (a form feed, an escape) would act on the terminal: its code point alone.
        _ when Rune.IsControl(Rune.GetRuneAt(s, 0)) => $"U+{Rune.GetRuneAt(s, 0).Value:X4}",
        _ => $"'{s}' (U+{Rune.GetRuneAt(s, 0).Value:X4})",
    };
}
