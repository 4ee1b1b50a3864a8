using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace SecureVault.Memory;

/// <summary>
/// Converts between SecureString, caller strings and UTF-8 bytes in secure buffers without ever
/// creating a System.String that holds the secret.
/// </summary>
public static unsafe class SecureText
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>UTF-8 bytes of a SecureString, in a secure buffer the caller disposes.</summary>
    public static SecureBuffer ToUtf8(SecureString value)
    {
        ArgumentNullException.ThrowIfNull(value);
        IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(value);
        try
        {
            var chars = new ReadOnlySpan<char>((void*)unmanaged, value.Length);
            return ToUtf8(chars);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
        }
    }

    /// <summary>
    /// UTF-8 bytes of a password given as SecureString. Ill-formed UTF-16 (a lone surrogate, which a
    /// plain conversion would silently turn into U+FFFD, so that many passwords became one) is refused
    /// with <see cref="VaultInvalidInputException"/>.
    /// </summary>
    public static SecureBuffer PasswordToUtf8(SecureString value)
    {
        ArgumentNullException.ThrowIfNull(value);
        IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(value);
        try
        {
            return PasswordToUtf8(new ReadOnlySpan<char>((void*)unmanaged, value.Length));
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
        }
    }

    /// <summary>UTF-8 bytes of password characters; ill-formed UTF-16 is refused as for a SecureString.</summary>
    public static SecureBuffer PasswordToUtf8(ReadOnlySpan<char> chars) => ToWellFormedUtf8(chars, "The password");

    /// <summary>
    /// UTF-8 bytes of secret characters (a terminal prompt's), refusing ill-formed UTF-16 with
    /// <see cref="VaultInvalidInputException"/>; <paramref name="what"/> names the input in the message.
    /// </summary>
    public static SecureBuffer ToWellFormedUtf8(ReadOnlySpan<char> chars, string what)
    {
        if (!IsWellFormedUtf16(chars))
            throw new VaultInvalidInputException($"{what} is not valid Unicode text: it contains a lone surrogate (half of a character outside the Basic Multilingual Plane). Type it again, or check the program or file it comes from.");
        return ToUtf8(chars);
    }

    /// <summary>
    /// Refuses secret bytes (a terminal line read as bytes) that are not well-formed UTF-8 with
    /// <see cref="VaultInvalidInputException"/>: the byte form of <see cref="ToWellFormedUtf8"/>'s check
    /// (an encoded lone surrogate is refused too); <paramref name="what"/> names the input in the message.
    /// </summary>
    public static void RequireWellFormedUtf8(ReadOnlySpan<byte> utf8, string what)
    {
        if (!IsValidUtf8(utf8))
            throw new VaultInvalidInputException($"{what} is not valid UTF-8 text (a broken byte sequence or an encoded lone surrogate). Type it again, or set the terminal to UTF-8 (the locale, e.g. LANG=C.UTF-8).");
    }

    /// <summary>True when every surrogate in <paramref name="chars"/> is one half of a pair.</summary>
    public static bool IsWellFormedUtf16(ReadOnlySpan<char> chars)
    {
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
            else if (char.IsSurrogate(chars[i])) return false;
        }
        return true;
    }

    /// <summary>UTF-8 bytes of characters (for example a caller's plain string), in a secure buffer.</summary>
    public static SecureBuffer ToUtf8(ReadOnlySpan<char> chars)
    {
        var buffer = new SecureBuffer(Encoding.UTF8.GetByteCount(chars));
        Encoding.UTF8.GetBytes(chars, buffer.Span);
        return buffer;
    }

    /// <summary>A read-only SecureString built from UTF-8 bytes, through a zeroized pinned char buffer.</summary>
    public static SecureString ToSecureString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            // 'fixed' over an empty span yields a null pointer, which SecureString's constructor refuses.
            var empty = new SecureString();
            empty.MakeReadOnly();
            return empty;
        }
        using var chars = new SecureBuffer(StrictUtf8.GetCharCount(utf8) * sizeof(char));
        var span = MemoryMarshal.Cast<byte, char>(chars.Span);
        int count = StrictUtf8.GetChars(utf8, span);
        fixed (char* p = span)
        {
            var secure = new SecureString(p, count);
            secure.MakeReadOnly();
            return secure;
        }
    }

    /// <summary>
    /// The plain string of UTF-8 bytes. Only for the caller's explicit -AsPlainText request: the
    /// returned string is the caller's copy and cannot be zeroized.
    /// </summary>
    public static string ToPlainString(ReadOnlySpan<byte> utf8) => StrictUtf8.GetString(utf8);

    /// <summary>True when the bytes are well-formed UTF-8.</summary>
    public static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    /// <summary>Constant-time equality of two secrets (lengths are not secret).</summary>
    public static bool FixedTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        CryptographicOperations.FixedTimeEquals(left, right);
}
