// TOTP second factor: RFC 6238 over HOTP (RFC 4226).
//   step = floor(unix seconds / 30)
//   mac  = HMAC-SHA-1(secret, step as 8-byte big-endian counter)     (SHA-256/512 for the RFC vectors)
//   code = DynamicTruncate(mac) mod 10^6, written as 6 ASCII digits with leading zeros
// Secret: 20 random bytes (160 bits, the HMAC-SHA-1 output size RFC 4226 recommends).
// Verification accepts the steps now-1, now and now+1 (one step of clock drift either way),
// computes all three codes and compares each in constant time without stopping at a match,
// and accepts a step only if it is later than the last step accepted for the principal, so each
// code works once (RFC 6238 section 5.2).
// Why our own HOTP instead of Otp.NET at run time: the HMAC key then goes straight from the
// caller's pinned SecureBuffer into HMACSHA1.HashData, and the MAC and the codes live only in
// stack spans cleared in 'finally'; Otp.NET copies the key into a managed array it keeps. The
// tests cross-check our codes against Otp.NET.
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecureVault.Identity;

/// <summary>Computes and verifies RFC 6238 time-based one-time codes (see file header).</summary>
public static class Totp
{
    /// <summary>The number of digits in a code.</summary>
    public const int Digits = 6;

    /// <summary>The length of one time step, in seconds.</summary>
    public const int StepSeconds = 30;

    /// <summary>The size of a new shared secret, in bytes.</summary>
    public const int SecretSize = 20;

    /// <summary>RFC 4226 R6: a shared secret has at least 128 bits.</summary>
    private const int MinimumSecretSize = 16;

    private const int MaxMacSize = 64; // HMAC-SHA-512

    /// <summary>The time step that contains <paramref name="time"/>: Unix seconds divided by 30, rounded down.</summary>
    public static long StepAt(DateTimeOffset time)
    {
        long seconds = time.ToUnixTimeSeconds();
        // Floor, not truncation toward zero, so times before 1970 still fall in the right step.
        long step = seconds / StepSeconds;
        return seconds < 0 && seconds % StepSeconds != 0 ? step - 1 : step;
    }

    /// <summary>The 6-digit HMAC-SHA-1 code for <paramref name="step"/>, as an integer (format it with "D6").</summary>
    public static int Code(ReadOnlySpan<byte> secret, long step) => Code(secret, step, HashAlgorithmName.SHA1, Digits);

    /// <summary>HOTP (RFC 4226) with the counter <paramref name="step"/>, the HMAC <paramref name="hash"/> and 6 to 8 digits.</summary>
    internal static int Code(ReadOnlySpan<byte> secret, long step, HashAlgorithmName hash, int digits)
    {
        if (secret.IsEmpty) throw new ArgumentException("A TOTP secret is never empty.", nameof(secret));
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (digits is < 6 or > 8) throw new ArgumentOutOfRangeException(nameof(digits), digits, "HOTP codes have 6 to 8 digits.");

        Span<byte> counter = stackalloc byte[8];
        Span<byte> mac = stackalloc byte[MaxMacSize];
        try
        {
            BinaryPrimitives.WriteInt64BigEndian(counter, step);
            int length = Mac(secret, counter, hash, mac);
            return Truncate(mac[..length], digits);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(mac);
        }
    }

    /// <summary>
    /// Checks a code typed by the user against the steps around <paramref name="now"/>.
    /// </summary>
    /// <param name="secret">The principal's shared secret (at least 16 bytes).</param>
    /// <param name="code">Exactly 6 ASCII digits, or two groups of 3 separated by one space ("123 456").</param>
    /// <param name="now">The current time.</param>
    /// <param name="lastAcceptedStep">
    /// The step of the last code accepted for this secret, or -1 if none was. Only later steps are
    /// accepted, so a code (and any earlier code) cannot be replayed.
    /// </param>
    /// <returns>
    /// The highest step among now-1, now and now+1 whose code matches and that is later than
    /// <paramref name="lastAcceptedStep"/>; the caller stores it as the new last accepted step.
    /// Null for a wrong, expired or replayed code (the caller reports an authentication failure).
    /// </returns>
    /// <exception cref="VaultInvalidInputException">The code is not 6 digits.</exception>
    public static long? Verify(ReadOnlySpan<byte> secret, ReadOnlySpan<char> code, DateTimeOffset now, long lastAcceptedStep)
    {
        if (secret.Length < MinimumSecretSize)
            throw new ArgumentException($"A TOTP secret has at least {MinimumSecretSize} bytes.", nameof(secret));

        Span<byte> given = stackalloc byte[Digits];
        Span<byte> expected = stackalloc byte[Digits];
        try
        {
            if (!TryParse(code, given))
                throw new VaultInvalidInputException(
                    "A TOTP code is 6 digits (optionally written as two groups of 3 separated by one space). Type the code your authenticator app shows.");

            long current = StepAt(now);
            long best = 0;
            long found = 0;
            for (long step = current - 1; step <= current + 1; step++)
            {
                // Every candidate is computed and compared: the time taken does not say which step matched.
                long inRange = step >= 0 ? 1 : 0; // only before 1970 + 30 s
                WriteDigits(inRange != 0 ? Code(secret, step) : 0, expected);
                long matches = CryptographicOperations.FixedTimeEquals(given, expected) ? 1 : 0;
                long fresh = step > lastAcceptedStep ? 1 : 0;
                long mask = -(matches & fresh & inRange); // all ones when this step is accepted
                best = (best & ~mask) | (step & mask);     // ascending order: the highest accepted step wins
                found |= mask;
            }
            return found != 0 ? best : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(given);
            CryptographicOperations.ZeroMemory(expected);
        }
    }

    private static int Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, HashAlgorithmName hash, Span<byte> destination)
    {
        if (hash == HashAlgorithmName.SHA1) return HMACSHA1.HashData(key, message, destination);
        if (hash == HashAlgorithmName.SHA256) return HMACSHA256.HashData(key, message, destination);
        if (hash == HashAlgorithmName.SHA512) return HMACSHA512.HashData(key, message, destination);
        throw new ArgumentException("TOTP uses HMAC with SHA-1, SHA-256 or SHA-512.", nameof(hash));
    }

    /// <summary>RFC 4226 section 5.3: 31 bits at the offset named by the low nibble of the last byte.</summary>
    private static int Truncate(ReadOnlySpan<byte> mac, int digits)
    {
        int offset = mac[^1] & 0x0F;
        int binary = (mac[offset] & 0x7F) << 24 | mac[offset + 1] << 16 | mac[offset + 2] << 8 | mac[offset + 3];
        int modulus = 1;
        for (int i = 0; i < digits; i++) modulus *= 10;
        return binary % modulus;
    }

    /// <summary>Accepts "123456" or "123 456" only; writes the 6 ASCII digits.</summary>
    private static bool TryParse(ReadOnlySpan<char> code, Span<byte> digits)
    {
        const int Half = Digits / 2;
        if (code.Length == Digits + 1 && code[Half] == ' ')
        {
            return TryCopyDigits(code[..Half], digits[..Half]) && TryCopyDigits(code[(Half + 1)..], digits[Half..]);
        }
        return code.Length == Digits && TryCopyDigits(code, digits);
    }

    private static bool TryCopyDigits(ReadOnlySpan<char> source, Span<byte> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            // char.IsAsciiDigit: other scripts' digits (Arabic-Indic, full-width) are refused.
            if (!char.IsAsciiDigit(source[i])) return false;
            destination[i] = (byte)source[i];
        }
        return true;
    }

    private static void WriteDigits(int value, Span<byte> destination)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}
