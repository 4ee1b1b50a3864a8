// The form a password takes before Argon2 (keyslots of KDF version 2, docs/file-format.md):
// well-formed UTF-8 (so no lone surrogate ever reached it), no U+FFFD (what lossy conversions put in
// place of what they could not convert), and Unicode Normalization Form C (UAX #15), so "é" typed as
// U+00E9 and as "e" + U+0301 is one password.
// Memory: the password is never put in a System.String where the runtime allows it. ASCII is NFC
// already and is copied as is. Otherwise the text is decoded into a SecureBuffer, normalized into
// another with the span-based StringNormalizationExtensions.TryNormalize (in the runtime since .NET 10,
// found at run time because the engine targets net8.0), and encoded back into a SecureBuffer; all
// three are zeroed on dispose. On .NET 8 and 9, which have only string.Normalize, the text passes
// through two strings for the moment of the call: they are zeroed in place right after, but the GC
// may have copied them before, and the runtime's rented normalization buffer is not cleared
// (docs/threat-model.md). PowerShell 7.6 runs on .NET 10.
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using SecureVault.Memory;

namespace SecureVault.Crypto;

/// <summary>Checks a password's text and brings it into the normalized form Argon2 gets.</summary>
public static unsafe class PasswordForm
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private delegate bool SpanNormalizer(ReadOnlySpan<char> source, Span<char> destination, out int charsWritten, NormalizationForm form);

    private static readonly SpanNormalizer? TryNormalize = FindSpanNormalizer();

    // Invariant globalization mode has no Unicode data: "normalizing" copies the text unchanged.
    private static readonly Lazy<bool> CanNormalize = new(() =>
    {
        using var probe = NormalizeChars("e\u0301");
        return probe.Length == sizeof(char);
    });

    /// <summary>True when this runtime normalizes without creating strings (.NET 10 and later).</summary>
    public static bool NormalizesWithoutStrings => TryNormalize != null;

    /// <summary>
    /// Throws <see cref="VaultInvalidInputException"/> unless <paramref name="utf8"/> is well-formed
    /// UTF-8 without U+FFFD. The message names the rule, never the password.
    /// </summary>
    public static void Check(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
            throw new VaultInvalidInputException("The password is not valid Unicode text (UTF-8 with a broken sequence or a lone surrogate). Type it again, or check the encoding of the file or pipe it comes from.");
        if (utf8.IndexOf("\uFFFD"u8) >= 0)
            throw new VaultInvalidInputException("The password contains U+FFFD, the replacement character a lossy conversion leaves for text it could not read. Use a password without it, or check the encoding of the file or pipe it comes from.");
    }

    /// <summary>The checked, NFC-normalized UTF-8 of <paramref name="utf8"/>, in a secure buffer the caller disposes.</summary>
    public static SecureBuffer Normalize(ReadOnlySpan<byte> utf8)
    {
        Check(utf8);
        if (System.Text.Ascii.IsValid(utf8)) return SecureBuffer.CopyOf(utf8); // ASCII is in NFC
        if (!CanNormalize.Value)
            throw new VaultInvalidInputException("This process runs without Unicode data (invariant globalization mode), so a password with non-ASCII characters cannot be normalized. Run without DOTNET_SYSTEM_GLOBALIZATION_INVARIANT, or use an ASCII password.");
        using var decoded = new SecureBuffer(StrictUtf8.GetCharCount(utf8) * sizeof(char));
        var source = MemoryMarshal.Cast<byte, char>(decoded.Span);
        StrictUtf8.GetChars(utf8, source);
        using var normalized = NormalizeChars(source);
        var chars = MemoryMarshal.Cast<byte, char>(normalized.Span)[..(normalized.Length / sizeof(char))];
        var result = new SecureBuffer(StrictUtf8.GetByteCount(chars));
        StrictUtf8.GetBytes(chars, result.Span);
        return result;
    }

    /// <summary>NFC of <paramref name="source"/> in a secure buffer holding exactly the normalized characters.</summary>
    private static SecureBuffer NormalizeChars(ReadOnlySpan<char> source)
    {
        if (TryNormalize is { } normalize)
        {
            // NFC rarely grows text; three times the length covers every case Unicode allows, and the loop any other.
            for (int capacity = source.Length * 3 + 16; ; capacity *= 2)
            {
                using var scratch = new SecureBuffer(capacity * sizeof(char));
                var destination = MemoryMarshal.Cast<byte, char>(scratch.Span);
                if (normalize(source, destination, out int written, NormalizationForm.FormC))
                    return SecureBuffer.CopyOf(scratch.ReadOnlySpan[..(written * sizeof(char))]);
            }
        }
        return NormalizeThroughStrings(source);
    }

    /// <summary>The fallback for runtimes before .NET 10: string.Normalize, with both strings zeroed in place at once.</summary>
    private static SecureBuffer NormalizeThroughStrings(ReadOnlySpan<char> source)
    {
        var text = new string(source);
        string? normalized = null;
        try
        {
            normalized = text.Normalize(NormalizationForm.FormC);
            return SecureBuffer.CopyOf(MemoryMarshal.AsBytes(normalized.AsSpan()));
        }
        finally
        {
            // Both strings were made here and never interned or shared, so overwriting them breaks nothing.
            fixed (char* p = text) new Span<char>(p, text.Length).Clear();
            if (normalized != null && !ReferenceEquals(normalized, text))
                fixed (char* p = normalized) new Span<char>(p, normalized.Length).Clear();
        }
    }

    private static SpanNormalizer? FindSpanNormalizer()
    {
        var method = typeof(StringNormalizationExtensions).GetMethod("TryNormalize", BindingFlags.Public | BindingFlags.Static,
            [typeof(ReadOnlySpan<char>), typeof(Span<char>), typeof(int).MakeByRefType(), typeof(NormalizationForm)]);
        return method?.CreateDelegate<SpanNormalizer>();
    }
}
