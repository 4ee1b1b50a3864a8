namespace SecureVault;

/// <summary>A vault's audit policy: how long records are kept at least, and where alerts go.</summary>
public sealed class AuditPolicy
{
    public const int DefaultRetentionDays = 365;
    public const int MaxRetentionDays = 36_500;

    /// <summary>Records younger than this many days are never pruned (0: any record may be pruned).</summary>
    public int RetentionDays { get; init; } = DefaultRetentionDays;

    /// <summary>Where each new alert is sent as it is raised.</summary>
    public AlertForwarding AlertForwarding { get; init; } = AlertForwarding.None;

    /// <summary>The vault this policy belongs to.</summary>
    public string Vault { get; init; } = "";

    /// <summary>The oldest record time that must be kept, as of <paramref name="now"/>.</summary>
    public DateTime KeepFrom(DateTime now) => now.AddDays(-RetentionDays);
}

/// <summary>Where alerts are forwarded as they are raised.</summary>
public enum AlertForwarding
{
    /// <summary>Not forwarded; Get-VaultAlert still lists them.</summary>
    None = 0,
    /// <summary>The local syslog socket (/dev/log, or SECUREVAULT_SYSLOG_SOCKET), Unix only.</summary>
    Syslog = 1,
    /// <summary>The Windows Application event log, source SecureVault, Windows only.</summary>
    EventLog = 2,
}
