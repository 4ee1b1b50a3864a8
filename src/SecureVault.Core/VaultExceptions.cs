namespace SecureVault;

/// <summary>
/// The root of every failure the engine reports. Messages name what failed and what to do next;
/// they never contain a secret value, a password or key material.
/// </summary>
public abstract class VaultException : Exception
{
    protected VaultException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>A stable identifier, used by the cmdlets as FullyQualifiedErrorId and by the CLI for exit codes.</summary>
    public abstract string ErrorId { get; }

    /// <summary>The key name, principal or vault the failure concerns (never a value), when known.</summary>
    public string? Target { get; init; }
}

/// <summary>The vault is locked (never unlocked, locked explicitly, or idle for too long).</summary>
public sealed class VaultLockedException(string vault, string? why = null)
    : VaultException($"The vault '{vault}' is locked{(why is null ? "" : ": " + why)}. Unlock it with Unlock-Vault (or 'securevault' with a password) and try again.")
{
    public override string ErrorId => "VaultLocked";
}

/// <summary>No vault exists at the resolved location.</summary>
public sealed class VaultNotFoundException(string vault)
    : VaultException($"No vault exists at '{vault}'. Create one with New-Vault, or pass -Vault with the right name or path.")
{
    public override string ErrorId => "VaultNotFound";
}

/// <summary>A vault already exists where a new one was to be created.</summary>
public sealed class VaultAlreadyExistsException(string vault)
    : VaultException($"A vault already exists at '{vault}'. Choose another -Vault name or path, or use the existing one.")
{
    public override string ErrorId => "VaultExists";
}

/// <summary>No key with that name exists (or the caller may not know it exists).</summary>
public sealed class VaultKeyNotFoundException(string name)
    : VaultException($"No key named '{name}' exists in this vault. List keys with Get-VaultKeyInfo.")
{
    public override string ErrorId => "KeyNotFound";

    /// <summary>
    /// Set inside an operation's transaction: the audit log has not been asked yet whether the
    /// key must exist. The engine asks it after that transaction ends (see VaultEngine.AnswerNotFound).
    /// </summary>
    internal bool LogNotAsked { get; init; }
}

/// <summary>The requested version of a key is not kept (pruned or never written).</summary>
public sealed class VaultKeyVersionNotFoundException(string name, int version)
    : VaultException($"Key '{name}' has no version {version}. Get-VaultKeyInfo shows the versions kept.")
{
    public override string ErrorId => "KeyVersionNotFound";
}

/// <summary>
/// The key is past its rotation grace period: reads are refused until it is rotated or exempted.
/// Carries when it was due and since when it is blocked.
/// </summary>
public sealed class VaultKeyExpiredException(string name, DateTimeOffset due, DateTimeOffset blockedSince)
    : VaultException($"Key '{name}' has expired: it was due for rotation on {due.UtcDateTime:u} and reads are blocked since {blockedSince.UtcDateTime:u}. " +
        $"Rotate it with Update-VaultKey -Name '{name}' (or Invoke-VaultRotation), or exempt it with Add-VaultRotationExemption -Key '{name}' -Reason ... -Until ....")
{
    public override string ErrorId => "KeyExpired";
    public DateTimeOffset Due { get; } = due;
    public DateTimeOffset BlockedSince { get; } = blockedSince;
}

/// <summary>
/// A version replaced longer ago than the key's grace period: it is kept as history, but only
/// Restore-VaultKey brings it back.
/// </summary>
public sealed class VaultKeyVersionRetiredException(string name, int version, DateTimeOffset readableUntil)
    : VaultException($"Version {version} of key '{name}' was replaced and its grace period ended at {readableUntil.UtcDateTime:u}: read the current version, " +
        $"or make it current again with Restore-VaultKey -Name '{name}' -Version {version}.")
{
    public override string ErrorId => "KeyVersionRetired";
    public int Version { get; } = version;
    /// <summary>When the version stopped being readable: when it was replaced, plus the key's grace.</summary>
    public DateTimeOffset ReadableUntil { get; } = readableUntil;
}

/// <summary>
/// A rotation's new value could not be produced (the -ScriptBlock failed or returned nothing usable).
/// Nothing was written. The inner exception is the script's own error.
/// </summary>
public sealed class VaultRotationFailedException(string name, string why, Exception? inner = null)
    : VaultException($"Key '{name}' was not rotated: {why}. Nothing was changed.", inner)
{
    public override string ErrorId => "RotationFailed";
}

/// <summary>The acting principal lacks the permission for this operation.</summary>
public sealed class VaultAccessDeniedException(string permission, string principal, string? why = null)
    : VaultException($"Principal '{principal}' lacks the '{permission}' permission{(why is null ? "" : $" ({why})")}. Ask an Admin for a role or a grant (Grant-VaultAccess).")
{
    public override string ErrorId => "AccessDenied";

    /// <summary>The missing permission (one of the names in <see cref="Access.Permissions"/>).</summary>
    public string Permission { get; } = permission;
}

/// <summary>No principal with that name exists.</summary>
public sealed class VaultPrincipalNotFoundException(string principal)
    : VaultException($"No principal named '{principal}' exists in this vault. List them with Get-VaultPrincipal.")
{
    public override string ErrorId => "PrincipalNotFound";
}

/// <summary>A principal with that name already exists.</summary>
public sealed class VaultPrincipalExistsException(string principal)
    : VaultException($"A principal named '{principal}' already exists. Choose another name, or change it with Set-VaultPrincipal.")
{
    public override string ErrorId => "PrincipalExists";
}

/// <summary>The principal is disabled (or was removed while its session was open).</summary>
public sealed class VaultPrincipalDisabledException(string principal)
    : VaultException($"Principal '{principal}' is disabled or no longer exists. An Admin can enable it with Set-VaultPrincipal -Disabled:$false.")
{
    public override string ErrorId => "PrincipalDisabled";
}

/// <summary>The principal has MFA on and no one-time code was given.</summary>
public sealed class VaultMfaRequiredException(string principal)
    : VaultException($"Principal '{principal}' needs a one-time code: pass -Totp with the 6-digit code from the authenticator app.")
{
    public override string ErrorId => "MfaRequired";
}

/// <summary>The password (or other credential) did not authenticate the principal.</summary>
public sealed class VaultAuthenticationException(string principal, string? hint = null)
    : VaultException($"Authentication failed for principal '{principal}'. {hint ?? "Check the password and the -Principal name."}")
{
    public override string ErrorId => "AuthenticationFailed";
}

/// <summary>The principal is locked out after repeated failures.</summary>
public sealed class VaultPrincipalLockedOutException(string principal, DateTimeOffset until)
    : VaultException($"Principal '{principal}' is locked out until {until:u} after repeated failures. Wait, or ask an Admin to clear the lockout.")
{
    public override string ErrorId => "PrincipalLockedOut";
}

/// <summary>
/// Stored data failed an integrity check: an authentication tag, a MAC, a length or a structure
/// did not match. No plaintext of the damaged item is returned.
/// </summary>
public sealed class VaultIntegrityException(string what, Exception? inner = null)
    : VaultException($"Integrity check failed: {what}. The vault file may have been tampered with or damaged; restore it from a backup.", inner)
{
    public override string ErrorId => "IntegrityViolation";
}

/// <summary>Another writer held the vault for longer than the busy timeout.</summary>
public sealed class VaultConcurrencyException(string vault, Exception? inner = null)
    : VaultException($"The vault '{vault}' stayed busy with another writer beyond the timeout. Try again.", inner)
{
    public override string ErrorId => "ConcurrencyConflict";
}

/// <summary>The storage layer failed (I/O, permissions, disk full).</summary>
public sealed class VaultStorageException(string what, Exception? inner = null)
    : VaultException($"Storage failed: {what}", inner)
{
    public override string ErrorId => "StorageError";
}

/// <summary>Input was refused before anything was changed (bad name, too large, wrong type).</summary>
public sealed class VaultInvalidInputException(string what)
    : VaultException(what)
{
    public override string ErrorId => "InvalidInput";
}
