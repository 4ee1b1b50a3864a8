using System.Text.Encodings.Web;
using System.Text.Json;

namespace SecureVault.Cli.Output;

/// <summary>
/// Writes one JSON object per line (JSON Lines), built with <see cref="Utf8JsonWriter"/> so the
/// output needs no reflection and is the same on every runtime. Only metadata is ever written.
/// </summary>
internal static class JsonLine
{
    private static readonly JsonWriterOptions Options = new()
    {
        // Output goes to a terminal or a pipe, never into HTML: keep names readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Writes the object that <paramref name="write"/> fills, then "\n".</summary>
    public static void Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        StandardOutput.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        StandardOutput.Write("\n"u8);
    }

    /// <summary>Writes a string property, or null.</summary>
    public static void WriteNullable(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null) writer.WriteNull(name);
        else writer.WriteString(name, value);
    }

    /// <summary>Writes an integer property, or null.</summary>
    public static void WriteNullable(this Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number) writer.WriteNumber(name, number);
        else writer.WriteNull(name);
    }

    /// <summary>Writes a boolean property, or null.</summary>
    public static void WriteNullable(this Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } flag) writer.WriteBoolean(name, flag);
        else writer.WriteNull(name);
    }

    /// <summary>
    /// ISO 8601 in UTC with milliseconds (<c>2025-01-03T09:30:12.345Z</c>): sortable as text,
    /// unambiguous across time zones. The engine's times are UTC.
    /// </summary>
    public static string Timestamp(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
