namespace SecureVault.Audit;

/// <summary>
/// What an operation learns about itself while it runs, for its audit record: the key it
/// touched, the version, how many items. Filled in as the operation goes, so that a refusal
/// half-way still records what was known by then.
/// </summary>
internal sealed class AuditFacts(string action)
{
    public string Action { get; } = action;
    public Guid? Target { get; private set; }
    /// <summary>The key's plaintext name; it is sealed under the metadata key before it is written.</summary>
    public string? TargetName { get; private set; }
    public int? Version { get; set; }
    public long? Count { get; set; }
    public long? Through { get; set; }
    public string? ThroughHash { get; set; }
    public string? Detail { get; set; }
    public string? Keyslot { get; set; }
    /// <summary>Set by the append when the log was found rewritten before this record (see <see cref="AuditEntry.HeadBroken"/>).</summary>
    public long? HeadBroken { get; set; }
    /// <summary>Set on success when the operation noticed something an alert should carry (VaultRolledBack).</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// Work that must be kept even though the operation was refused (an expired grant found by the
    /// refusal is removed): it runs in the transaction of the refusal's record.
    /// </summary>
    public Action<Storage.IVaultWriter>? OnRefusal { get; set; }

    /// <summary>The record once written, as stored and as an entry, for what happens after the commit (alerts).</summary>
    public Storage.AuditRow? Written { get; private set; }
    public AuditEntry? WrittenEntry { get; private set; }

    /// <summary>Called by the append that wrote this operation's record.</summary>
    public void Wrote(Storage.AuditRow row, AuditEntry entry)
    {
        Written = row;
        WrittenEntry = entry;
    }

    public void SetTarget(Guid id, string name)
    {
        Target = id;
        TargetName = name;
    }
}
