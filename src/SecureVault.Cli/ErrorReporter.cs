using SecureVault.Rotation;
using SecureVault.Storage;

namespace SecureVault.Cli;

/// <summary>
/// Turns a failure into one line on stderr, <c>securevault: &lt;message&gt;</c>, and an exit code.
/// Messages come from the engine or from this tool, and neither ever puts a secret in a string.
/// </summary>
internal static class ErrorReporter
{
    /// <summary>Runs a command body and converts whatever it throws into an exit code.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (CliUsageException e)
        {
            return Report(e.Message, ExitCodes.Usage);
        }
        catch (VaultException e)
        {
            return Report(MessageFor(e), ExitCodes.For(e));
        }
        catch (IOException e)
        {
            return Report($"input/output failed: {e.Message}", ExitCodes.Storage);
        }
        catch (UnauthorizedAccessException e)
        {
            return Report($"access to a file was refused: {e.Message}", ExitCodes.Storage);
        }
        catch (Exception e)
        {
            return Report($"unexpected error ({e.GetType().Name}): {e.Message}", ExitCodes.Internal);
        }
    }

    /// <summary>Writes one error line to stderr and returns <paramref name="exitCode"/>.</summary>
    public static int Report(string message, int exitCode)
    {
        // One line, so that scripts can log it as one record.
        Console.Error.WriteLine("securevault: " + message.ReplaceLineEndings(" "));
        return exitCode;
    }

    /// <summary>Writes a warning line to stderr (the command goes on).</summary>
    public static void Warn(string message) => Console.Error.WriteLine("securevault: warning: " + message.ReplaceLineEndings(" "));

    /// <summary>The warning a read of a key due for rotation gives, with its advice in CLI terms.</summary>
    public static string RotationWarning(VaultRotationWarning warning) =>
        warning.Message + $" Rotate it with 'securevault rotate {warning.Name}' (or a scheduled 'securevault rotate --due --command ...'), " +
        $"or exempt it with 'securevault rotation exempt --key {warning.Name} --reason ... --until ...'.";

    /// <summary>
    /// The engine's messages name the PowerShell cmdlets; where the next step differs on the
    /// command line, say it in CLI terms. Everything else keeps the engine's own wording.
    /// </summary>
    private static string MessageFor(VaultException e) => e switch
    {
        VaultNotFoundException => $"no vault exists at '{e.Target ?? "the resolved location"}'. Create one with 'securevault init', or pass --vault (or set {VaultLocation.VaultVariable}) with the right name or path.",
        VaultAlreadyExistsException => $"a vault already exists at '{e.Target ?? "that location"}'. Choose another --vault name or path, or use the existing one.",
        VaultKeyNotFoundException when e.Target != null => $"no key named '{e.Target}' exists in this vault. 'securevault list' shows the keys.",
        VaultKeyVersionNotFoundException when e.Target != null => $"key '{e.Target}' has no such version. 'securevault list --json' shows the versions kept.",
        // The same words whether or not the principal exists: the message must not tell them apart.
        VaultAuthenticationException => "authentication failed. Check the password and the --principal name.",
        VaultLockedException => "the vault locked itself during the command. Run the command again.",
        VaultKeyExpiredException expired when e.Target != null =>
            $"key '{e.Target}' has expired: it was due for rotation on {expired.Due.UtcDateTime:u} and reads are blocked since {expired.BlockedSince.UtcDateTime:u}. " +
            $"Rotate it with 'securevault rotate {e.Target}', or exempt it with 'securevault rotation exempt --key {e.Target} --reason ... --until ...'.",
        VaultKeyVersionRetiredException retired when e.Target != null =>
            $"version {retired.Version} of key '{e.Target}' was replaced and its grace period ended at {retired.ReadableUntil.UtcDateTime:u}. Read the current version, or make it " +
            $"current again with 'securevault restore {e.Target} --version {retired.Version}' ('securevault history {e.Target}' lists the versions).",
        _ => e.Message,
    };
}
