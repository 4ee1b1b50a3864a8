namespace SecureVault;

/// <summary>One audit record as Get-VaultAuditLog shows it, with names resolved where the reader may see them.</summary>
public sealed class VaultAuditRecord
{
    public long Seq { get; init; }
    /// <summary>When it happened (UTC).</summary>
    public DateTime Time { get; init; }
    /// <summary>The acting principal's name (its id when the principal no longer exists), or null when nobody was recognised.</summary>
    public string? Principal { get; init; }
    public Guid? PrincipalId { get; init; }
    /// <summary>create, unlock, lock, password, set, get, info, list, update, remove, verify, export-head, read-audit, policy, prune.</summary>
    public string Action { get; init; } = "";
    /// <summary>The key's name, opened from the record's sealed copy; null when there is no key or it cannot be opened.</summary>
    public string? Name { get; init; }
    /// <summary>The key's id.</summary>
    public Guid? TargetId { get; init; }
    public int? Version { get; init; }
    /// <summary>How many items the operation covered (keys listed, records pruned or checked).</summary>
    public long? Count { get; init; }
    /// <summary>success, denied or error.</summary>
    public string Outcome { get; init; } = "";
    /// <summary>The error id of a refusal or failure (AuthenticationFailed, KeyNotFound, ...), or a notice on success (VaultRolledBack).</summary>
    public string? Reason { get; init; }
    public string? Detail { get; init; }
    public string Host { get; init; } = "";
    public int ProcessId { get; init; }
    public string ProcessName { get; init; } = "";
    /// <summary>True when the record carries its actor's signature (failed authentications cannot).</summary>
    public bool IsSigned { get; init; }
    /// <summary>The record's chain hash (hex).</summary>
    public string Hash { get; init; } = "";
    public string Vault { get; init; } = "";
}

/// <summary>Which audit records to return. Every criterion given must match.</summary>
public sealed class AuditFilter
{
    public static readonly AuditFilter All = new();

    /// <summary>Records at or after this time.</summary>
    public DateTime? Since { get; init; }
    /// <summary>Records before this time.</summary>
    public DateTime? Until { get; init; }
    /// <summary>The acting principal's name (case-insensitive, wildcards allowed).</summary>
    public string? Principal { get; init; }
    /// <summary>The action (wildcards allowed: 'export-*').</summary>
    public string? Action { get; init; }
    /// <summary>The key's name (case-insensitive, wildcards allowed).</summary>
    public string? Name { get; init; }
    /// <summary>success, denied or error.</summary>
    public string? Outcome { get; init; }
    /// <summary>Only the newest this many matching records (still returned oldest first).</summary>
    public int? Last { get; init; }
}

/// <summary>What Remove-VaultAuditRecord did.</summary>
public sealed class AuditPruneResult
{
    /// <summary>How many records were removed.</summary>
    public long Removed { get; init; }
    /// <summary>The last removed record's sequence number, or null when nothing was removed.</summary>
    public long? Through { get; init; }
    /// <summary>The sequence number of the signed prune record that vouches for the removal.</summary>
    public long PruneRecordSeq { get; init; }
    public string Vault { get; init; } = "";
}

/// <summary>What Unlock-Vault reports besides success: warnings the user must see.</summary>
public sealed class UnlockResult
{
    /// <summary>Warnings, such as a vault that has gone backwards since this profile last saw it.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
