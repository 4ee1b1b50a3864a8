// Canonical JSON (RFC 8785, JSON Canonicalization Scheme) for the subset audit records use:
// one flat object whose members are strings and integers. Members are written in sorted order
// (UTF-16 code units; the caller supplies them sorted, checked in debug builds), with no
// whitespace, integers in plain decimal, and strings escaped exactly as JCS requires: '"', '\\'
// and control characters only (\b \t \n \f \r, else \u00xx in lower-case hex); everything else
// is raw UTF-8. Equal records therefore always hash to equal bytes.
using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace SecureVault.Audit;

/// <summary>Writes one flat canonical JSON object, member by member in sorted order.</summary>
internal sealed class CanonicalJson
{
    private readonly ArrayBufferWriter<byte> _buffer = new(384);
    private string? _lastName;

    public CanonicalJson() => Raw("{"u8);

    /// <summary>Writes a string member; null is left out.</summary>
    public CanonicalJson String(string name, string? value)
    {
        if (value is null) return this;
        Name(name);
        Quoted(value);
        return this;
    }

    /// <summary>Writes an integer member; null is left out.</summary>
    public CanonicalJson Integer(string name, long? value)
    {
        if (value is null) return this;
        Name(name);
        Span<byte> digits = stackalloc byte[24];
        value.Value.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        Raw(digits[..written]);
        return this;
    }

    /// <summary>Closes the object and returns its bytes.</summary>
    public byte[] ToArray()
    {
        Raw("}"u8);
        return _buffer.WrittenSpan.ToArray();
    }

    private void Name(string name)
    {
        Debug.Assert(_lastName is null || string.CompareOrdinal(_lastName, name) < 0, "members must be written in sorted order");
        if (_lastName != null) Raw(","u8);
        _lastName = name;
        Quoted(name);
        Raw(":"u8);
    }

    private void Quoted(string value)
    {
        Raw("\""u8);
        int start = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            Utf8(value.AsSpan(start, i - start));
            Raw(c switch
            {
                '"' => "\\\""u8,
                '\\' => "\\\\"u8,
                '\b' => "\\b"u8,
                '\t' => "\\t"u8,
                '\n' => "\\n"u8,
                '\f' => "\\f"u8,
                '\r' => "\\r"u8,
                _ => Encoding.ASCII.GetBytes($"\\u{(int)c:x4}"),
            });
            start = i + 1;
        }
        Utf8(value.AsSpan(start));
        Raw("\""u8);
    }

    private void Utf8(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        var span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private void Raw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);
}
