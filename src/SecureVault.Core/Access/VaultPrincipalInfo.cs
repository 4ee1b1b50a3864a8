using SecureVault.Identity;

namespace SecureVault.Access;

/// <summary>What can be known about a principal (never a credential).</summary>
public sealed class VaultPrincipalInfo
{
    public required string Name { get; init; }
    public required Role Role { get; init; }
    public required bool Disabled { get; init; }
    /// <summary>How it can unlock: "Password", "Certificate", "Password+Certificate" (one entry per keyslot).</summary>
    public required string[] Credentials { get; init; }
    /// <summary>The keyslots behind <see cref="Credentials"/>, with the ids Remove-VaultKeyslot takes.</summary>
    public required VaultKeyslotInfo[] Keyslots { get; init; }
    /// <summary>True when a confirmed TOTP second factor is required at unlock.</summary>
    public required bool MfaEnabled { get; init; }
    /// <summary>When its lockout ends (UTC), or null when it is not locked out.</summary>
    public DateTime? LockedUntil { get; init; }
    public required int FailedAttempts { get; init; }
    public required DateTime Created { get; init; }
    public required string Vault { get; init; }
}
