using SecureVault.Identity;
using SecureVault.Memory;

namespace SecureVault.Cli.Input;

/// <summary>
/// Where a password comes from; never from a command-line argument (argv is visible to every
/// user in the process list). In order of precedence:
/// <list type="number">
/// <item><c>--password-stdin</c>: the first line of stdin ("\n" or "\r\n" ends it);</item>
/// <item>the file named by <c>SECUREVAULT_PASSWORD_FILE</c>: its first line;</item>
/// <item>a hidden prompt, when stdin is a terminal.</item>
/// </list>
/// Otherwise the command fails with a usage error naming these options.
/// </summary>
internal sealed class PasswordInput(bool fromStdin)
{
    /// <summary>The environment variable naming a file whose first line is the password.</summary>
    public const string FileVariable = "SECUREVAULT_PASSWORD_FILE";

    private const int MaxPromptBytes = PasswordRules.MaximumBytes;

    /// <summary>True when a password is given without a prompt (stdin or the password file).</summary>
    public bool IsGiven => fromStdin || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(FileVariable));

    /// <summary>The password of an existing vault (one prompt).</summary>
    public SecureBuffer Current(string vault) => Read($"Password for vault {vault}: ", confirm: false);

    /// <summary>The password of a new vault (prompted twice, so a typo does not lock the owner out).</summary>
    public SecureBuffer Initial(string vault) => Read($"New password for vault {vault}: ", confirm: true);

    /// <summary>
    /// The new password of <c>passwd</c>: prompted twice on a terminal; otherwise the next line
    /// of stdin (line 2 after <c>--password-stdin</c>, line 1 when the current password came
    /// from the password file).
    /// </summary>
    public SecureBuffer Replacement()
    {
        if (Terminal.IsInteractive && !fromStdin) return PromptTwice("New password: ");
        return StandardInput.Reader.ReadLine(PasswordRules.MaximumBytes, "The new password")
            ?? throw new CliUsageException("the new password was expected on the next line of stdin, but stdin ended.");
    }

    private SecureBuffer Read(string prompt, bool confirm)
    {
        if (fromStdin)
        {
            return StandardInput.Reader.ReadLine(PasswordRules.MaximumBytes, "The password line")
                ?? throw new CliUsageException("--password-stdin was given, but stdin was empty.");
        }
        var file = Environment.GetEnvironmentVariable(FileVariable);
        if (!string.IsNullOrEmpty(file)) return ReadFile(file);
        if (Terminal.IsInteractive) return confirm ? PromptTwice(prompt) : Terminal.ReadHidden(prompt, MaxPromptBytes, "The password");
        throw new CliUsageException($"a password is needed and stdin is not a terminal: pass --password-stdin (password on the first line of stdin) or set {FileVariable}.");
    }

    private static SecureBuffer PromptTwice(string prompt)
    {
        var first = Terminal.ReadHidden(prompt, MaxPromptBytes, "The password");
        try
        {
            using var second = Terminal.ReadHidden("Repeat it: ", MaxPromptBytes, "The password");
            if (!SecureText.FixedTimeEquals(first.ReadOnlySpan, second.ReadOnlySpan))
                throw new VaultInvalidInputException("The two passwords differ; nothing was changed.");
            return first;
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    private static SecureBuffer ReadFile(string path)
    {
        try
        {
            // bufferSize 0: no managed read buffer that would keep a copy of the password.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            WarnIfShared(stream, path);
            using var reader = new SecureStreamReader(stream);
            return reader.ReadLine(PasswordRules.MaximumBytes, "The first line of the password file")
                ?? throw new CliUsageException($"the password file named by {FileVariable} ('{path}') is empty.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read the password file named by {FileVariable} ('{path}'): {e.Message}");
        }
    }

    private static void WarnIfShared(FileStream stream, string path)
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        if ((File.GetUnixFileMode(stream.SafeFileHandle) & shared) != 0)
            ErrorReporter.Warn($"the password file '{path}' is readable or writable by other users; restrict it with 'chmod 600'.");
    }
}
