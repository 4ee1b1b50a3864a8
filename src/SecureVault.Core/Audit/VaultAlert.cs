namespace SecureVault;

/// <summary>
/// A security event derived from the audit trail: repeated failed unlocks, a lockout, denied
/// access, an integrity or verification failure, a read of a blocked key. It names principals,
/// key ids and audit sequence numbers, never a value or a plaintext key name.
/// </summary>
public sealed class VaultAlert
{
    /// <summary>When the record that raised the alert was written (UTC).</summary>
    public DateTime Time { get; init; }

    /// <summary>The sequence number of the audit record that raised the alert.</summary>
    public long Seq { get; init; }

    /// <summary>What happened: one of the <see cref="AlertKinds"/> names.</summary>
    public string Kind { get; init; } = "";

    /// <summary>Warning or Critical.</summary>
    public AlertSeverity Severity { get; init; }

    /// <summary>The principal concerned (name when known, else its id), or null.</summary>
    public string? Principal { get; init; }

    /// <summary>The audited action that raised it (unlock, get, verify, ...).</summary>
    public string Action { get; init; } = "";

    /// <summary>The key id concerned, when there is one.</summary>
    public Guid? TargetId { get; init; }

    /// <summary>How many records the alert sums up (failed unlocks within the window), else 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>One sentence for people and SIEMs; holds no secret and no key name.</summary>
    public string Message { get; init; } = "";

    /// <summary>The vault (path or location) the alert belongs to.</summary>
    public string Vault { get; init; } = "";
}

/// <summary>How urgent an alert is.</summary>
public enum AlertSeverity
{
    Warning = 1,
    Critical = 2,
}

/// <summary>The kinds of alert the audit trail raises.</summary>
public static class AlertKinds
{
    public const string RepeatedFailedUnlock = "RepeatedFailedUnlock";
    public const string Lockout = "Lockout";
    public const string AccessDenied = "AccessDenied";
    public const string IntegrityViolation = "IntegrityViolation";
    public const string AuditVerificationFailed = "AuditVerificationFailed";
    public const string AuditLogRewritten = "AuditLogRewritten";
    public const string VaultRolledBack = "VaultRolledBack";
    public const string BlockedKeyRead = "BlockedKeyRead";
}
