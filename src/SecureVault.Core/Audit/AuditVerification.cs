namespace SecureVault;

/// <summary>What Test-VaultAuditChain found: whether the chain is intact and, if not, where and why.</summary>
public sealed class AuditVerification
{
    /// <summary>True when every record is in place, canonical, chained and signed by a known signer.</summary>
    public bool IsValid => Reason == AuditFailure.None;

    /// <summary>The vault that was checked.</summary>
    public string Vault { get; init; } = "";

    /// <summary>How many records were checked.</summary>
    public long RecordCount { get; init; }

    /// <summary>The first record kept (after pruning, not always 1); null when the log is empty.</summary>
    public long? FirstSeq { get; init; }

    /// <summary>The newest record; null when the log is empty.</summary>
    public long? HeadSeq { get; init; }

    /// <summary>The newest record's hash (hex), as an anchor would hold it.</summary>
    public string? HeadHash { get; init; }

    /// <summary>The first record that failed, or null when the chain is valid.</summary>
    public long? FirstBadSeq { get; init; }

    /// <summary>Why the chain is not valid; None when it is.</summary>
    public AuditFailure Reason { get; init; }

    /// <summary>One sentence on what was found (no secret, no key name).</summary>
    public string? Detail { get; init; }

    /// <summary>True when an anchor was given and its record was found in the chain; false when it was pruned away; null without an anchor.</summary>
    public bool? AnchorChecked { get; init; }

    /// <summary>Failed-authentication records after the last signed record: chained, not yet vouched for by a signature.</summary>
    public long UnsignedTail { get; init; }

    /// <summary>How many ECDSA signatures were checked (see docs/audit.md for why not one per record).</summary>
    public long SignaturesChecked { get; init; }

    /// <summary>How long the check took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Records checked per second.</summary>
    public double RecordsPerSecond => Duration > TimeSpan.Zero ? RecordCount / Duration.TotalSeconds : 0;
}

/// <summary>Why an audit chain failed verification.</summary>
public enum AuditFailure
{
    /// <summary>The chain is intact.</summary>
    None = 0,
    /// <summary>A record's content, or the link to the record before it, is not what was hashed.</summary>
    HashMismatch,
    /// <summary>A record's signature does not verify, or a record that must be signed is not.</summary>
    BadSignature,
    /// <summary>Records are missing (deleted, or pruned without a signed prune record).</summary>
    Gap,
    /// <summary>A record is out of its place in the sequence.</summary>
    Reorder,
    /// <summary>A record names an actor with no valid signing key for that record.</summary>
    UnknownSigner,
    /// <summary>The chain ends before the record an anchor vouches for: truncated, or rolled back to an older copy.</summary>
    TruncatedBelowAnchor,
    /// <summary>A stored record is not a canonical audit record.</summary>
    Malformed,
}
