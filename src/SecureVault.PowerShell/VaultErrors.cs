using System.Management.Automation;

namespace SecureVault.PowerShell;

/// <summary>
/// Maps engine exceptions to ErrorRecords: the exception's stable ErrorId becomes the
/// FullyQualifiedErrorId, with the category PowerShell users filter on. The target object is
/// the key name, principal or vault, never a value.
/// </summary>
internal static class VaultErrors
{
    public static ErrorRecord From(VaultException exception, object? target) =>
        new(exception, exception.ErrorId, CategoryOf(exception), target ?? exception.Target);

    /// <summary>Failures after which no further pipeline item can succeed.</summary>
    public static bool IsTerminating(VaultException exception) => exception is VaultLockedException
        or VaultNotFoundException or VaultIntegrityException or VaultAuthenticationException
        or VaultPrincipalLockedOutException or VaultMfaRequiredException or VaultStorageException;

    /// <summary>An error for invalid parameter combinations found by the cmdlet itself.</summary>
    public static ErrorRecord InvalidArgument(string message, object? target) =>
        From(new VaultInvalidInputException(message), target);

    private static ErrorCategory CategoryOf(VaultException exception) => exception switch
    {
        VaultLockedException => ErrorCategory.ResourceUnavailable,
        VaultNotFoundException or VaultKeyNotFoundException or VaultKeyVersionNotFoundException or VaultPrincipalNotFoundException => ErrorCategory.ObjectNotFound,
        VaultAlreadyExistsException or VaultPrincipalExistsException => ErrorCategory.ResourceExists,
        VaultAccessDeniedException or VaultKeyExpiredException or VaultKeyVersionRetiredException or VaultPrincipalDisabledException => ErrorCategory.PermissionDenied,
        VaultAuthenticationException or VaultPrincipalLockedOutException or VaultMfaRequiredException => ErrorCategory.AuthenticationError,
        VaultIntegrityException => ErrorCategory.SecurityError,
        VaultConcurrencyException => ErrorCategory.ResourceBusy,
        VaultInvalidInputException => ErrorCategory.InvalidArgument,
        // The -ScriptBlock (or other producer) of a rotated value failed or returned nothing usable.
        VaultRotationFailedException => ErrorCategory.InvalidResult,
        _ => ErrorCategory.WriteError,
    };
}
