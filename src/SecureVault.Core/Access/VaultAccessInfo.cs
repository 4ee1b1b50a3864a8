namespace SecureVault.Access;

/// <summary>One grant: what one principal may do with one key, and until when.</summary>
public sealed class VaultAccessInfo
{
    public required string Key { get; init; }
    public required string Principal { get; init; }
    /// <summary>The permissions granted (None once revoked entirely).</summary>
    public required KeyPermissions Permissions { get; init; }
    /// <summary>When the grant ends (UTC), or null when it does not.</summary>
    public DateTime? Expires { get; init; }
    public required DateTime Created { get; init; }
    public required string GrantedBy { get; init; }
    public required string Vault { get; init; }
}
