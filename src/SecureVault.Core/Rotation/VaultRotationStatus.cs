namespace SecureVault.Rotation;

/// <summary>Where a key stands against its rotation policy.</summary>
public enum RotationState
{
    /// <summary>Not due yet, and not within the warning period.</summary>
    Ok = 0,
    /// <summary>Due within the warning period: reads work and warn.</summary>
    Warning = 1,
    /// <summary>Past its due date but within the grace period: reads work and warn.</summary>
    Overdue = 2,
    /// <summary>Past the grace period: reads are refused (KeyExpired) until it is rotated or exempted.</summary>
    Blocked = 3,
    /// <summary>An unexpired exemption covers it: reads work without a warning.</summary>
    Exempt = 4,
}

/// <summary>One key's rotation status (Get-VaultRotationStatus).</summary>
public sealed class VaultRotationStatus
{
    public required string Name { get; init; }
    public required Guid Id { get; init; }
    public string? Service { get; init; }
    public required int Version { get; init; }
    /// <summary>When the current version was written (UTC).</summary>
    public required DateTime LastRotated { get; init; }
    public required TimeSpan Age { get; init; }
    /// <summary>When the key is due for rotation (UTC).</summary>
    public required DateTime DueDate { get; init; }
    /// <summary>When reads become blocked (UTC): the due date plus the grace.</summary>
    public required DateTime BlockedFrom { get; init; }
    /// <summary>Whole days until the due date; negative once it has passed.</summary>
    public required int DaysLeft { get; init; }
    public required RotationState State { get; init; }
    /// <summary>When <see cref="State"/> is Exempt: until when and why.</summary>
    public DateTime? ExemptUntil { get; init; }
    public string? ExemptReason { get; init; }
    public required VaultRotationPolicy Policy { get; init; }
    public required string Vault { get; init; }

    /// <summary>True for the states a scheduled rotation should handle: Warning, Overdue and Blocked.</summary>
    public bool IsDue => State is RotationState.Warning or RotationState.Overdue or RotationState.Blocked;

    public override string ToString() => Name;
}

/// <summary>
/// What a read of a key in its warning or grace period tells the reader: the facts, for the front
/// end to add its own advice (a cmdlet or a CLI command to run).
/// </summary>
public sealed record VaultRotationWarning(string Name, RotationState State, DateTime Due, DateTime BlockedFrom, string Message)
{
    public override string ToString() => Message;
}

/// <summary>An exemption from rotation enforcement, for every key of a service or for one key.</summary>
public sealed class VaultRotationExemption
{
    public required Guid Id { get; init; }
    /// <summary>The service it covers (wildcards allowed), or null for a single-key exemption.</summary>
    public string? Service { get; init; }
    /// <summary>The key it covers, or null for a service exemption.</summary>
    public string? Key { get; init; }
    public required string Reason { get; init; }
    /// <summary>When it ends (UTC); every exemption has an end.</summary>
    public required DateTime Until { get; init; }
    public required DateTime Created { get; init; }
    public required string CreatedBy { get; init; }
    /// <summary>False once <see cref="Until"/> has passed (it no longer exempts anything).</summary>
    public required bool IsActive { get; init; }
    public required string Vault { get; init; }
}

/// <summary>One kept version of a key (Get-VaultKeyHistory).</summary>
public sealed class VaultKeyVersionInfo
{
    public required string Name { get; init; }
    public required int Version { get; init; }
    public required DateTime Created { get; init; }
    /// <summary>The principal that wrote it, or null for versions written before SecureVault recorded it.</summary>
    public string? CreatedBy { get; init; }
    public required bool IsCurrent { get; init; }
    /// <summary>
    /// For a replaced version: until when it can still be read by -Version (the grace after it was
    /// replaced). After that only Restore-VaultKey brings it back. Null for the current version.
    /// </summary>
    public DateTime? ReadableUntil { get; init; }
    public required string Vault { get; init; }
}

/// <summary>What happened to one key in a rotation run.</summary>
public enum RotationOutcome
{
    Rotated = 0,
    Skipped = 1,
    Failed = 2,
}

/// <summary>One key's result in Invoke-VaultRotation.</summary>
public sealed class VaultRotationResult
{
    public required string Name { get; init; }
    public required RotationOutcome Outcome { get; init; }
    /// <summary>The state before the attempt.</summary>
    public required RotationState StateBefore { get; init; }
    public required int PreviousVersion { get; init; }
    /// <summary>The version written, when rotated.</summary>
    public int? NewVersion { get; init; }
    /// <summary>Why it was skipped or failed (never a value).</summary>
    public string? Reason { get; init; }
    /// <summary>The error behind a failure.</summary>
    public Exception? Error { get; init; }
    public required string Vault { get; init; }

    public override string ToString() => $"{Name}: {Outcome}";
}

/// <summary>Progress of a long rotation or rekey: items done of items in all, and what is being done.</summary>
public readonly record struct RotationProgressInfo(int Done, int Total, string Activity, string? Current);

/// <summary>The outcome of a vault rekey (Update-VaultEncryptionKey).</summary>
public sealed class VaultRekeyResult
{
    /// <summary>Data keys rotated by this run (a resumed run counts only what it did).</summary>
    public required int DataKeysRotated { get; init; }
    /// <summary>Metadata records re-encrypted under the new metadata key (keys, principals, grants, signers, settings).</summary>
    public required int MetadataRecords { get; init; }
    /// <summary>The metadata key generation now in use (1 after the first rekey).</summary>
    public required int Generation { get; init; }
    /// <summary>True when this run finished a rekey that an earlier run had started.</summary>
    public required bool Resumed { get; init; }
    public required string Vault { get; init; }
}
