namespace SecureVault;

/// <summary>
/// What Test-Vault (securevault check) found: whether the stored rows are the ones the signed
/// audit log says must exist, whether SQLite's own integrity check passes, and whether the chain
/// verifies. Findings name tables, ids and (when the caller may see them) key names, never a value.
/// </summary>
public sealed class VaultCheckReport
{
    /// <summary>True when there is no finding.</summary>
    public bool IsConsistent => Findings.Count == 0;

    /// <summary>The vault that was checked.</summary>
    public string Vault { get; init; } = "";

    /// <summary>Everything found, in the order the checks ran (store, chain, then rows).</summary>
    public IReadOnlyList<VaultCheckFinding> Findings { get; init; } = [];

    /// <summary>How long the check took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Key rows compared with the log.</summary>
    public long KeysChecked { get; init; }

    /// <summary>Version rows compared with their key's sealed list of kept versions.</summary>
    public long VersionsChecked { get; init; }

    /// <summary>Principal rows compared with the log.</summary>
    public long PrincipalsChecked { get; init; }

    /// <summary>Keyslot rows compared with the log.</summary>
    public long KeyslotsChecked { get; init; }

    /// <summary>Grant rows compared with the log and their MAC.</summary>
    public long GrantsChecked { get; init; }

    /// <summary>Audit records read.</summary>
    public long AuditRecordsChecked { get; init; }
}

/// <summary>One inconsistency.</summary>
public sealed class VaultCheckFinding
{
    /// <summary>What kind of inconsistency.</summary>
    public VaultCheckFindingKind Kind { get; init; }

    /// <summary>The table concerned (secrets, secret_versions, principals, keyslots, grants), or the store or audit_log.</summary>
    public string Table { get; init; } = "";

    /// <summary>The key or principal name, when the caller may see it; null otherwise.</summary>
    public string? Name { get; init; }

    /// <summary>The row's id (key, principal or keyslot id), when it has one.</summary>
    public Guid? Id { get; init; }

    /// <summary>The version, for a version row.</summary>
    public int? Version { get; init; }

    /// <summary>The audit record the finding rests on, when there is one.</summary>
    public long? AuditSeq { get; init; }

    /// <summary>One sentence on what was found (never a value).</summary>
    public string Detail { get; init; } = "";

    public override string ToString() => $"{Kind} {Table}{(Name is null ? "" : $" '{Name}'")}{(Version is { } v ? $" version {v}" : "")}: {Detail}";
}

/// <summary>The kinds of finding.</summary>
public enum VaultCheckFindingKind
{
    /// <summary>The log says the row must exist, and it does not (deleted, or lost with a damaged page or journal frame).</summary>
    Missing,
    /// <summary>The log says the row was removed (or superseded), and it is present: put back from an older copy.</summary>
    Restored,
    /// <summary>The row is present and was never recorded, or does not carry the vault's MAC.</summary>
    Unexpected,
    /// <summary>SQLite's integrity or foreign-key check failed, or a row could not be read.</summary>
    IntegrityCheck,
    /// <summary>The audit chain does not verify, or the vault is behind a head seen earlier.</summary>
    Chain,
}
