namespace SecureVault.Audit;

/// <summary>
/// Derives security alerts from audit records, in sequence order. The same rules serve
/// Get-VaultAlert (over a stored range) and forwarding (over the records around a new one), so a
/// forwarded alert is always one Get-VaultAlert would list.
/// </summary>
internal static class AlertRules
{
    /// <summary>Failed authentications of one principal within this window ...</summary>
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);

    /// <summary>... raise an alert when they reach this many.</summary>
    public const int FailureThreshold = 3;

    /// <summary>The alerts raised by <paramref name="entries"/> (oldest first).</summary>
    public static IEnumerable<VaultAlert> Scan(IEnumerable<AuditEntry> entries, Func<Guid?, string?> principalName, string vault)
    {
        var failures = new Dictionary<Guid, Queue<long>>();
        foreach (var entry in entries)
        {
            if (IsFailedAuthentication(entry))
            {
                var key = entry.Actor ?? Guid.Empty;
                if (!failures.TryGetValue(key, out var times)) failures[key] = times = new Queue<long>();
                while (times.Count > 0 && entry.TimeMs - times.Peek() > (long)FailureWindow.TotalMilliseconds) times.Dequeue();
                times.Enqueue(entry.TimeMs);
                if (times.Count == FailureThreshold)
                {
                    yield return Alert(entry, AlertKinds.RepeatedFailedUnlock, AlertSeverity.Warning, principalName, vault, times.Count,
                        $"{times.Count} failed authentications within {FailureWindow.TotalMinutes} minutes");
                }
            }
            if (Classify(entry) is { } single)
                yield return Alert(entry, single.Kind, single.Severity, principalName, vault, 1, single.Message);
        }
    }

    private static bool IsFailedAuthentication(AuditEntry entry) =>
        entry.Action is AuditAction.Unlock or AuditAction.Password && entry.Reason == "AuthenticationFailed";

    /// <summary>True when the record could start or continue a burst of failed authentications.</summary>
    public static bool MayNeedHistory(AuditEntry entry) => IsFailedAuthentication(entry);

    private static (string Kind, AlertSeverity Severity, string Message)? Classify(AuditEntry entry) => entry.Reason switch
    {
        _ when entry.HeadBroken is { } broken =>
            (AlertKinds.AuditLogRewritten, AlertSeverity.Critical, $"audit record {broken} no longer matched its signature: the log was changed outside SecureVault"),
        "PrincipalLockedOut" => (AlertKinds.Lockout, AlertSeverity.Critical, "a principal is locked out after repeated failures"),
        "AccessDenied" => (AlertKinds.AccessDenied, AlertSeverity.Warning, $"access denied for '{entry.Action}'"),
        "KeyExpired" => (AlertKinds.BlockedKeyRead, AlertSeverity.Warning, "a read of a blocked key was refused"),
        "VaultRolledBack" => (AlertKinds.VaultRolledBack, AlertSeverity.Critical, "the vault has gone backwards since this profile last saw it"),
        "IntegrityViolation" when entry.Action != AuditAction.Verify =>
            (AlertKinds.IntegrityViolation, AlertSeverity.Critical, $"an integrity check failed during '{entry.Action}'"),
        _ when entry.Action == AuditAction.Verify && entry.Outcome != AuditOutcome.Success =>
            (AlertKinds.AuditVerificationFailed, AlertSeverity.Critical, $"audit chain verification failed ({entry.Reason}){(entry.Detail is null ? "" : ", " + entry.Detail)}"),
        _ => null,
    };

    private static VaultAlert Alert(AuditEntry entry, string kind, AlertSeverity severity, Func<Guid?, string?> principalName,
        string vault, int count, string message) => new()
    {
        Time = entry.Time,
        Seq = entry.Seq,
        Kind = kind,
        Severity = severity,
        Principal = principalName(entry.Actor),
        Action = entry.Action,
        TargetId = entry.Target,
        Count = count,
        Message = message,
        Vault = vault,
    };
}
