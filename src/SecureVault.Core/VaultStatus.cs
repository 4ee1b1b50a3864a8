namespace SecureVault;

/// <summary>The state of one vault as seen from this process.</summary>
public sealed class VaultStatus
{
    /// <summary>The vault's full path (or server and database).</summary>
    public required string Vault { get; init; }

    /// <summary>The store kind: "SQLite" (embedded) or "PostgreSQL" (team).</summary>
    public required string Store { get; init; }

    public required bool IsLocked { get; init; }

    /// <summary>The unlocked principal, or null when locked.</summary>
    public string? Principal { get; init; }

    /// <summary>The unlocked principal's role, or null when locked.</summary>
    public string? Role { get; init; }

    /// <summary>How long the session stays unlocked without use, or null when locked.</summary>
    public TimeSpan? TimeLeft { get; init; }

    public TimeSpan? IdleTimeout { get; init; }

    public required int FormatVersion { get; init; }

    /// <summary>The password KDF of the principal's keyslot (or the owner's when locked).</summary>
    public required string Kdf { get; init; }

    public required long KeyCount { get; init; }

    /// <summary>True when secret memory in this process is locked into RAM (and kept out of core dumps).</summary>
    public required bool MemoryLocked { get; init; }

    /// <summary>What memory locking achieved, or why it failed and what to change.</summary>
    public required string MemoryLockDetail { get; init; }

    /// <summary>How many audit records the vault keeps.</summary>
    public long AuditRecords { get; init; }

    /// <summary>The newest audit record's sequence number, or null when the log is empty.</summary>
    public long? AuditHead { get; init; }

    /// <summary>Where alerts are forwarded.</summary>
    public AlertForwarding AlertForwarding { get; init; }

    /// <summary>The last failure to forward an alert from this process, or null.</summary>
    public string? AlertForwardingProblem { get; init; }
}
