namespace SecureVault.Identity;

/// <summary>
/// What a new password must satisfy. Following NIST SP 800-63B, length matters and composition
/// rules do not: at least <see cref="MinimumLength"/> characters.
/// </summary>
public static class PasswordRules
{
    public const int MinimumLength = 8;
    public const int MaximumBytes = 1024;

    /// <summary>Throws <see cref="VaultInvalidInputException"/> when a new password is too short or too long.</summary>
    public static void CheckNew(ReadOnlySpan<byte> utf8Password)
    {
        if (CountCharacters(utf8Password) < MinimumLength)
            throw new VaultInvalidInputException($"The password is too short: use at least {MinimumLength} characters (a passphrase of several words is best).");
        if (utf8Password.Length > MaximumBytes)
            throw new VaultInvalidInputException($"The password is too long: at most {MaximumBytes} bytes.");
    }

    /// <summary>Counts code points without decoding the secret into a string.</summary>
    private static int CountCharacters(ReadOnlySpan<byte> utf8)
    {
        int count = 0;
        foreach (byte b in utf8) if ((b & 0xC0) != 0x80) count++;
        return count;
    }
}
