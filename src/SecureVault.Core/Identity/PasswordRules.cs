using System.Text;

namespace SecureVault.Identity;

/// <summary>
/// What a new password must satisfy. Following NIST SP 800-63B, length matters and composition
/// rules do not: at least <see cref="MinimumLength"/> characters (<see cref="MinimumLengthWithMfa"/>
/// once a second factor guards the principal), at most <see cref="MaximumLength"/>, and not one of
/// a small built-in list of common passwords of that length.
/// </summary>
public static class PasswordRules
{
    public const int MinimumLength = 15;
    public const int MinimumLengthWithMfa = 8;
    public const int MaximumLength = 256;

    /// <summary>The most bytes a password may take when read (256 characters of up to 4 UTF-8 bytes each).</summary>
    public const int MaximumBytes = 4 * MaximumLength;

    // Long passwords that appear in breach corpora and guessing dictionaries (repeated words,
    // keyboard walks, digit runs); compared ignoring ASCII case. Shorter ones fail the length rule.
    private static readonly byte[][] Common = new[]
    {
        "passwordpassword", "password1234567", "password12345678", "password123456789", "passwordpassword1",
        "123456789012345", "1234567890123456", "12345678901234567890", "098765432109876", "111111111111111",
        "000000000000000", "123123123123123", "abcdefghijklmnop", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfgh",
        "qwertyuiopasdfghjkl", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv", "qazwsxedcrfvtgbyhn", "zaq12wsxcde34rfv",
        "iloveyouiloveyou", "letmeinletmein1", "welcome12345678", "administrator123", "adminadminadmin",
        "changemechangeme", "secretsecretsecret", "trustno1trustno1", "monkeymonkeymonkey", "football12345678",
        "baseball12345678", "superman12345678", "princessprincess", "sunshinesunshine", "qwerty123456789",
        "qwertyqwertyqwerty", "asdfghjklasdfghjkl", "1q2w3e4r5t6y7u8i", "q1w2e3r4t5y6u7i8", "p@ssw0rdp@ssw0rd",
        "thisismypassword", "mypasswordismypassword", "correcthorsebatterystaple",
    }.Select(Encoding.ASCII.GetBytes).ToArray();

    /// <summary>
    /// Throws <see cref="VaultInvalidInputException"/> when a new password is too short, too long or
    /// common. The message never contains the password.
    /// </summary>
    public static void CheckNew(ReadOnlySpan<byte> utf8Password, bool secondFactor = false)
    {
        Crypto.PasswordForm.Check(utf8Password);
        int minimum = secondFactor ? MinimumLengthWithMfa : MinimumLength;
        int length = CountCharacters(utf8Password);
        if (length < minimum)
            throw new VaultInvalidInputException($"The password is too short: use at least {minimum} characters (a passphrase of several words is best).");
        if (length > MaximumLength || utf8Password.Length > MaximumBytes)
            throw new VaultInvalidInputException($"The password is too long: at most {MaximumLength} characters.");
        if (IsCommon(utf8Password))
            throw new VaultInvalidInputException("The password is on the list of common passwords that attackers try first. Choose another (a passphrase of several unrelated words is best).");
    }

    /// <summary>Counts code points without decoding the secret into a string.</summary>
    private static int CountCharacters(ReadOnlySpan<byte> utf8)
    {
        int count = 0;
        foreach (byte b in utf8) if ((b & 0xC0) != 0x80) count++;
        return count;
    }

    /// <summary>
    /// True when the password equals a listed one, ignoring ASCII case. Every entry of the same
    /// length is compared in full (no early exit), so the time depends only on the length.
    /// </summary>
    private static bool IsCommon(ReadOnlySpan<byte> utf8)
    {
        bool found = false;
        foreach (var common in Common)
        {
            if (common.Length != utf8.Length) continue;
            int difference = 0;
            for (int i = 0; i < common.Length; i++) difference |= (utf8[i] | 0x20) ^ (common[i] | 0x20);
            found |= difference == 0;
        }
        return found;
    }
}
