namespace SecureVault.Cli;

/// <summary>
/// The process exit codes of <c>securevault</c>. They are part of the tool's contract (scripts
/// branch on them) and are documented in docs/cli.md; a code never changes meaning.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>0</term><description>Success.</description></item>
/// <item><term>1</term><description>Usage error: unknown command or option, a missing argument, no password source
/// when stdin is not a terminal, <c>rm</c> without <c>--force</c> when it cannot ask, an unreadable password file.</description></item>
/// <item><term>2</term><description>Not found: no vault at the resolved location, no key with that name, or no such version.</description></item>
/// <item><term>3</term><description>Authentication failed (wrong password or principal), the principal is locked out,
/// or the vault locked itself during the command.</description></item>
/// <item><term>4</term><description>Access denied: the principal lacks the permission, the key is blocked by its rotation policy (expired), or the version asked for is past its grace.</description></item>
/// <item><term>5</term><description>Integrity violation: stored data failed an authentication check (tampering or damage),
/// a key or version the audit log says must exist is missing, or <c>check</c> found the vault inconsistent.</description></item>
/// <item><term>6</term><description>Invalid input: a bad key name, tag, KDF parameter, a value over 1 MiB, text that is not UTF-8 (a password too, or one holding U+FFFD),
/// a new password that breaks the rules, a vault that already exists, or a value type the CLI cannot print.</description></item>
/// <item><term>7</term><description>Storage or concurrency error: I/O failure, disk full, or another writer held the vault too long.</description></item>
/// <item><term>8</term><description>Internal error: an unexpected failure (a bug; please report it).</description></item>
/// <item><term>9</term><description>The audit chain is not valid (<c>audit verify</c>): a record was altered, removed,
/// inserted, reordered or forged, or the chain ends before the record an anchor vouches for.</description></item>
/// <item><term>10</term><description>A rotation failed: in a <c>rotate --command</c> run, at least one key could not be rotated
/// (its command failed or printed nothing, or the vault refused the write). Each failed key is unchanged; the others were rotated.</description></item>
/// <item><term>130</term><description>Interrupted by Ctrl+C or SIGTERM between steps of a long command (<c>rekey</c>, a
/// <c>rotate --command</c> run); what was done is kept, and running the command again goes on from there.</description></item>
/// </list>
/// </remarks>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int NotFound = 2;
    public const int Authentication = 3;
    public const int AccessDenied = 4;
    public const int Integrity = 5;
    public const int InvalidInput = 6;
    public const int Storage = 7;
    public const int Internal = 8;
    /// <summary>Not an engine error: the verification ran and found the chain broken (a verdict, like test(1)'s 1).</summary>
    public const int AuditInvalid = 9;
    /// <summary>At least one key of a rotation run was not rotated (its command failed, or the write was refused); those keys are unchanged.</summary>
    public const int RotationFailed = 10;
    /// <summary>Stopped by Ctrl+C (SIGINT) or SIGTERM at a safe point; 128 + SIGINT, as shells report an interrupted command.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code of an engine failure, chosen by its stable <see cref="VaultException.ErrorId"/>.</summary>
    public static int For(VaultException exception) => exception.ErrorId switch
    {
        "VaultNotFound" or "KeyNotFound" or "KeyVersionNotFound" or "PrincipalNotFound" => NotFound,
        "AuthenticationFailed" or "PrincipalLockedOut" or "VaultLocked" or "MfaRequired" => Authentication,
        "AccessDenied" or "KeyExpired" or "KeyVersionRetired" or "PrincipalDisabled" => AccessDenied,
        "RotationFailed" => RotationFailed,
        "IntegrityViolation" => Integrity,
        "InvalidInput" or "VaultExists" or "PrincipalExists" => InvalidInput,
        "ConcurrencyConflict" or "StorageError" => Storage,
        // An error id added to the engine later and not mapped yet: still a failure, never 0.
        _ => Internal,
    };
}
