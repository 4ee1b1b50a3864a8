using SecureVault.Values;

namespace SecureVault.Cli.Input;

/// <summary>
/// Reads the value of <c>set</c>; never from an argument. From stdin when it is redirected
/// (all of it, or everything after the password line with <c>--password-stdin</c>), else from a
/// hidden prompt.
/// </summary>
/// <remarks>
/// Text (the default) loses exactly one trailing "\n" or "\r\n", the one <c>echo</c> or a text
/// editor adds, must be UTF-8, and is stored as a string. <c>--binary</c> keeps every byte as it
/// came and stores a byte array.
/// </remarks>
internal static class ValueInput
{
    private const int MaxPromptBytes = 16 * 1024;

    /// <summary>Reads the value for key <paramref name="name"/>; the caller disposes it.</summary>
    public static SecretValue Read(string name, bool binary)
    {
        if (Terminal.IsInteractive)
        {
            if (binary) throw new CliUsageException("--binary reads the value from stdin: redirect a file or a pipe into 'securevault set'.");
            return new SecretText(Terminal.ReadHidden($"Value for '{name}': ", MaxPromptBytes, "The value"), isSecureString: false);
        }

        using var bytes = new SecureByteBuilder(4096);
        // Two bytes of slack for the newline that text values drop; the engine enforces the exact limit.
        if (!StandardInput.Reader.ReadToEnd(bytes, SecretCodec.MaxValueBytes + 2))
            throw new VaultInvalidInputException($"The value on stdin is larger than {SecretCodec.MaxValueBytes:N0} bytes (1 MiB), the largest a key can hold.");
        if (binary) return new SecretBytes(bytes.ToBuffer());

        bytes.TrimOneNewline();
        if (!Memory.SecureText.IsValidUtf8(bytes.Written))
            throw new VaultInvalidInputException("The value on stdin is not UTF-8 text. Store raw bytes with --binary.");
        return new SecretText(bytes.ToBuffer(), isSecureString: false);
    }
}
