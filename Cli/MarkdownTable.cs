using System.Text;

namespace IlgpuLstm.Cli;

/// <summary>Prints rows as a GitHub Markdown table with padded columns.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public void Add(params string[] cells) => rows.Add(cells);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> cells) =>
            text.Append("| ").Append(string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i])))).Append(" |\n");
        Line(headers);
        Line(widths.Select(w => new string('-', w)));
        foreach (var row in rows) Line(row);
        return text.ToString();
    }
}
