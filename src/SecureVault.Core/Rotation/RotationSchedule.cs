using SecureVault.Values;

namespace SecureVault.Rotation;

/// <summary>Where one key stands: its effective policy, its dates and its state at one moment.</summary>
internal sealed record KeySchedule(VaultRotationPolicy Policy, DateTimeOffset LastRotated, DateTimeOffset WarnFrom, DateTimeOffset Due,
    DateTimeOffset BlockedFrom, RotationState State, StoredExemption? Exemption);

/// <summary>
/// The rotation rules in one place: the effective policy of a key, when it was last rotated, and
/// its state. Ok before the warning period, Warning until the due date, Overdue through the grace,
/// Blocked after it; an active exemption makes any of these Exempt.
/// </summary>
internal static class RotationSchedule
{
    /// <summary>The key's own values over the vault default.</summary>
    public static VaultRotationPolicy Effective(VaultRotationPolicy defaults, KeyPolicyOverride? own) => own is null ? defaults : new(
        own.MaxAgeMs is { } m ? TimeSpan.FromMilliseconds(m) : defaults.MaxAge,
        own.WarningMs is { } w ? TimeSpan.FromMilliseconds(w) : defaults.Warning,
        own.GraceMs is { } g ? TimeSpan.FromMilliseconds(g) : defaults.Grace,
        own.VersionsKept ?? defaults.VersionsKept);

    /// <summary>When the current version was written (for keys written before history was kept: their last update).</summary>
    public static DateTimeOffset LastRotated(KeyMetadata metadata) => DateTimeOffset.FromUnixTimeMilliseconds(
        WrittenAt(metadata, metadata.Version) ?? metadata.UpdatedMs);

    /// <summary>
    /// When <paramref name="version"/> was replaced: when its successor was written, or no later than
    /// the earliest known write of any later version (versions written before history was kept have
    /// no time). Null for the current version, or when no later write time is known.
    /// </summary>
    public static DateTimeOffset? ReplacedAt(KeyMetadata metadata, int version)
    {
        long? earliest = metadata.History?.Where(e => e.Version > version).Select(e => (long?)e.WrittenMs).Min();
        return earliest is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>When a version was written, when the key's history knows it.</summary>
    public static long? WrittenAt(KeyMetadata metadata, int version) =>
        metadata.History?.FirstOrDefault(e => e.Version == version)?.WrittenMs;

    public static KeySchedule Of(KeyMetadata metadata, Guid keyId, VaultRotationPolicy defaults, IReadOnlyList<StoredExemption> exemptions, DateTimeOffset now)
    {
        var policy = Effective(defaults, metadata.Policy);
        var last = LastRotated(metadata);
        var due = last + policy.MaxAge;
        var warnFrom = due - policy.Warning;
        var blockedFrom = due + policy.Grace;
        var exemption = ActiveExemption(metadata, keyId, exemptions, now);
        var state = exemption != null ? RotationState.Exempt
            : now >= blockedFrom ? RotationState.Blocked
            : now >= due ? RotationState.Overdue
            : now >= warnFrom ? RotationState.Warning
            : RotationState.Ok;
        return new KeySchedule(policy, last, warnFrom, due, blockedFrom, state, exemption);
    }

    /// <summary>The active exemption covering a key (the one lasting longest), or null.</summary>
    public static StoredExemption? ActiveExemption(KeyMetadata metadata, Guid keyId, IReadOnlyList<StoredExemption> exemptions, DateTimeOffset now)
    {
        StoredExemption? best = null;
        long nowMs = now.ToUnixTimeMilliseconds();
        foreach (var exemption in exemptions)
        {
            if (exemption.UntilMs <= nowMs) continue;
            bool covers = exemption.KeyId is { } id ? id == keyId
                : exemption.Service is { } service && metadata.Service is { } keyService && new Wildcard(service).IsMatch(keyService);
            if (covers && (best is null || exemption.UntilMs > best.UntilMs)) best = exemption;
        }
        return best;
    }

    /// <summary>The warning a read of a key in its warning or grace period gives (facts only, no advice), or null.</summary>
    public static VaultRotationWarning? ReadWarning(string name, KeySchedule schedule, DateTimeOffset now) => schedule.State switch
    {
        RotationState.Warning => Warning(name, schedule,
            $"Key '{name}' is due for rotation on {schedule.Due.UtcDateTime:u} ({Describe(schedule.Due - now)} from now)."),
        RotationState.Overdue => Warning(name, schedule,
            $"Key '{name}' is overdue for rotation since {schedule.Due.UtcDateTime:u}; reads will be blocked from {schedule.BlockedFrom.UtcDateTime:u}."),
        _ => null,
    };

    private static VaultRotationWarning Warning(string name, KeySchedule schedule, string message) =>
        new(name, schedule.State, schedule.Due.UtcDateTime, schedule.BlockedFrom.UtcDateTime, message);

    private static string Describe(TimeSpan span) => span.TotalDays >= 1 ? $"{Math.Floor(span.TotalDays):0} days"
        : span.TotalHours >= 1 ? $"{Math.Floor(span.TotalHours):0} hours" : $"{Math.Max(0, Math.Ceiling(span.TotalMinutes)):0} minutes";
}
