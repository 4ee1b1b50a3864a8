// TOTP enrolment: a fresh 20-byte secret and the otpauth:// key URI that authenticator apps import
// (Google Authenticator "Key Uri Format"):
//   otpauth://totp/<issuer>:<account>?secret=<BASE32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
// The secret is Base32 (RFC 4648 section 6, upper case, no '=' padding, as the apps expect).
// Issuer and account are UTF-8, percent-encoded (RFC 3986: only unreserved characters are kept, so
// the ':' of the label and '&' of the query cannot be forged by a name).
// The URI contains the secret, so it is written byte by byte into a SecureBuffer and never passes
// through a System.String; the Base32 alphabet is chosen by arithmetic, not a table lookup indexed
// by secret bits.
using System.Security.Cryptography;
using System.Text;
using SecureVault.Memory;

namespace SecureVault.Identity;

/// <summary>Creates TOTP secrets and the key URI that hands one to an authenticator app.</summary>
public static class TotpEnrolment
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);
    private static readonly byte[] Scheme = "otpauth://totp/"u8.ToArray();
    private static readonly byte[] SecretParameter = "?secret="u8.ToArray();
    private static readonly byte[] IssuerParameter = "&issuer="u8.ToArray();
    private static readonly byte[] Parameters = "&algorithm=SHA1&digits=6&period=30"u8.ToArray();

    /// <summary>A new random <see cref="Totp.SecretSize"/>-byte secret in a secure buffer the caller disposes.</summary>
    public static SecureBuffer NewSecret()
    {
        var secret = new SecureBuffer(Totp.SecretSize);
        RandomNumberGenerator.Fill(secret.Span);
        return secret;
    }

    /// <summary>
    /// The UTF-8 otpauth:// URI for <paramref name="secret"/> (see file header), in a secure buffer
    /// the caller disposes. It holds the secret: show it once (for example as a QR code), never log it.
    /// </summary>
    public static SecureBuffer OtpAuthUri(ReadOnlySpan<byte> secret, string issuer, string account)
    {
        if (secret.IsEmpty) throw new ArgumentException("A TOTP secret is never empty.", nameof(secret));
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentException.ThrowIfNullOrEmpty(account);
        // Names, not secrets: ordinary arrays are fine. The strict encoder refuses lone surrogates.
        byte[] issuerUtf8 = StrictUtf8.GetBytes(issuer);
        byte[] accountUtf8 = StrictUtf8.GetBytes(account);

        int issuerLength = PercentEncodedLength(issuerUtf8);
        int length = Scheme.Length + issuerLength + 1 + PercentEncodedLength(accountUtf8)
            + SecretParameter.Length + Base32Length(secret.Length)
            + IssuerParameter.Length + issuerLength + Parameters.Length;

        var uri = new SecureBuffer(length);
        try
        {
            var writer = uri.Span;
            int at = 0;
            at += Copy(Scheme, writer[at..]);
            at += PercentEncode(issuerUtf8, writer[at..]);
            writer[at++] = (byte)':';
            at += PercentEncode(accountUtf8, writer[at..]);
            at += Copy(SecretParameter, writer[at..]);
            at += Base32Encode(secret, writer[at..]);
            at += Copy(IssuerParameter, writer[at..]);
            at += PercentEncode(issuerUtf8, writer[at..]);
            at += Copy(Parameters, writer[at..]);
            if (at != length) throw new InvalidOperationException("The key URI length was miscounted.");
            return uri;
        }
        catch
        {
            uri.Dispose();
            throw;
        }
    }

    /// <summary>The number of Base32 characters (no padding) for <paramref name="byteCount"/> bytes.</summary>
    internal static int Base32Length(int byteCount) => (int)(((long)byteCount * 8 + 4) / 5);

    /// <summary>
    /// Writes <paramref name="data"/> as RFC 4648 Base32 (A-Z, 2-7, no padding) ASCII into
    /// <paramref name="asciiOut"/> and returns the number of bytes written.
    /// </summary>
    internal static int Base32Encode(ReadOnlySpan<byte> data, Span<byte> asciiOut)
    {
        int length = Base32Length(data.Length);
        if (asciiOut.Length < length) throw new ArgumentException("The output is too small for the Base32 text.", nameof(asciiOut));

        int buffer = 0; // at most 12 pending bits
        int bits = 0;
        int written = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                asciiOut[written++] = Base32Char((buffer >> bits) & 0x1F);
            }
            buffer &= (1 << bits) - 1; // keep only the bits not yet written
        }
        if (bits > 0) asciiOut[written++] = Base32Char((buffer << (5 - bits)) & 0x1F);
        return written;
    }

    /// <summary>0-25 -> 'A'-'Z', 26-31 -> '2'-'7', without a branch or table lookup on the secret value.</summary>
    private static byte Base32Char(int value)
    {
        int c = value + 'A';
        c += ((25 - value) >> 31) & ('2' - 'A' - 26); // the shift gives all ones when value > 25
        return (byte)c;
    }

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    private static int PercentEncodedLength(ReadOnlySpan<byte> utf8)
    {
        int length = 0;
        foreach (byte b in utf8) length += IsUnreserved(b) ? 1 : 3;
        return length;
    }

    private static int PercentEncode(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        const string Hex = "0123456789ABCDEF"; // upper case, as RFC 3986 section 2.1 recommends
        int at = 0;
        foreach (byte b in utf8)
        {
            if (IsUnreserved(b))
            {
                destination[at++] = b;
            }
            else
            {
                destination[at++] = (byte)'%';
                destination[at++] = (byte)Hex[b >> 4];
                destination[at++] = (byte)Hex[b & 0x0F];
            }
        }
        return at;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
