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
