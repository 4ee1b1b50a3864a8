using System.Text;

namespace SecureVault.Cli.Output;

/// <summary>A plain text table: a header row and left-aligned columns sized to their widest cell.</summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds one row (as many cells as headers).</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException("A row needs one cell per column.", nameof(cells));
        _rows.Add(cells);
    }

    /// <summary>A UTC time as a table shows it, to the second (the JSON output keeps milliseconds).</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes the table to stdout (nothing but the header when there are no rows).</summary>
    public void Write()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        WriteRow(headers, widths);
        foreach (var row in _rows) WriteRow(row, widths);
    }

    private static void WriteRow(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            // The last column is not padded: no trailing spaces.
            line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }
        StandardOutput.WriteLine(line.ToString().TrimEnd());
    }
}
