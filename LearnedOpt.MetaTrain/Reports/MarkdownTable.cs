using System.Text;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>A GitHub-flavoured markdown table; cells are escaped so a <c>|</c> in a name cannot break the columns.</summary>
internal sealed class MarkdownTable
{
    private readonly string[] headers;
    private readonly bool[] rightAligned;
    private readonly List<string[]> rows = [];

    /// <summary>Creates a table; the first column is left-aligned, the others right-aligned (numbers) unless said otherwise.</summary>
    public MarkdownTable(IReadOnlyList<string> headers, IReadOnlyList<bool>? rightAligned = null)
    {
        this.headers = headers.ToArray();
        this.rightAligned = rightAligned?.ToArray() ?? headers.Select((_, i) => i > 0).ToArray();
        if (this.rightAligned.Length != this.headers.Length) throw new ArgumentException("One alignment per column.", nameof(rightAligned));
    }

    /// <summary>Number of rows added.</summary>
    public int RowCount => rows.Count;

    /// <summary>Adds a row of exactly one cell per column.</summary>
    public void AddRow(IReadOnlyList<string> cells)
    {
        if (cells.Count != headers.Length) throw new ArgumentException($"Expected {headers.Length} cells, got {cells.Count}.", nameof(cells));
        rows.Add(cells.ToArray());
    }

    /// <summary>Appends the table (header, alignment line, rows) and a blank line.</summary>
    public void AppendTo(StringBuilder markdown)
    {
        markdown.AppendLine(Line(headers));
        markdown.AppendLine(Line(rightAligned.Select(r => r ? "---:" : "---")));
        foreach (var row in rows) markdown.AppendLine(Line(row));
        markdown.AppendLine();
    }

    private static string Line(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(Escape)) + " |";

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
