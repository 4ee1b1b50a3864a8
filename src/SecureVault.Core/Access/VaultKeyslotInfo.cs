namespace SecureVault.Access;

/// <summary>One way a principal can unlock (never the credential itself).</summary>
public sealed class VaultKeyslotInfo
{
    public required string Principal { get; init; }
    /// <summary>The keyslot's id: what Remove-VaultKeyslot takes.</summary>
    public required Guid Id { get; init; }
    /// <summary>"Password", "Certificate" or "Password+Certificate".</summary>
    public required string Kind { get; init; }
    public required DateTime Updated { get; init; }
    public required string Vault { get; init; }
}
