using SecureVault.Crypto;

namespace SecureVault.Storage;

/// <summary>The single header row: what file this is and which vault it belongs to.</summary>
public sealed record HeaderRecord(string Magic, int FormatVersion, Guid VaultId, long CreatedMs, byte[] HeaderMac);

/// <summary>
/// A principal: its public keys, its copy of the vault metadata key wrapped to it, and a MAC
/// (keyed from the metadata key) over its identity, role and public keys, so that a principal
/// row cannot be planted or altered by someone who can only write the file.
/// </summary>
public sealed record PrincipalRecord(
    Guid Id, string Name, int Role, byte[] EcdhPublic, byte[] EcdsaPublic, long CreatedMs,
    long MetadataKeySender, SealedBox WrappedMetadataKey, byte[] Mac, bool Disabled = false);

/// <summary>
/// A keyslot: the principal's private scalars sealed under a key from one credential.
/// For a password keyslot, Kdf holds the Argon2id parameters and salt, Verifier tells a wrong password.
/// </summary>
public sealed record KeyslotRecord(Guid Id, Guid PrincipalId, int Kind, byte[] Kdf, byte[] Verifier, SealedBox Sealed, long UpdatedMs);

/// <summary>A secret's row: its blind name index, current version and encrypted metadata.</summary>
public sealed record SecretRecord(Guid Id, byte[] NameIndex, int CurrentVersion, SealedBox Metadata);

/// <summary>A secret's data key wrapped to one principal by one sender key.</summary>
public sealed record WrappedKeyRecord(Guid SecretId, Guid PrincipalId, long SenderId, SealedBox Wrapped);

/// <summary>One stored version of a secret's value.</summary>
public sealed record VersionRecord(Guid SecretId, int Version, int ValueType, SealedBox Value, long CreatedMs);

/// <summary>Everything one read of a value needs, fetched in one query.</summary>
public sealed record SecretValueRecord(SecretRecord Secret, WrappedKeyRecord? Key, VersionRecord? Version);

/// <summary>
/// One stored audit record: its canonical JSON, the chain hash over it and the previous link,
/// and the actor's signature over that hash (absent only for failed authentication, which has
/// no key to sign with). TimeMs, Action and Target repeat members of the record for indexed queries.
/// </summary>
public sealed record AuditRow(long Seq, long TimeMs, string Action, byte[] Record, byte[] Hash, byte[]? Signature, Guid? Target = null);

/// <summary>
/// A principal's signing public key and the records it may sign (from ValidFromSeq up to, not
/// including, ValidUntilSeq), with a MAC keyed from the metadata key so a file writer cannot plant one.
/// </summary>
public sealed record AuditSignerRecord(long Id, Guid PrincipalId, byte[] PublicKey, long ValidFromSeq, long? ValidUntilSeq, byte[] Mac);

/// <summary>After pruning: the last removed record's sequence number and the chain link after it.</summary>
public sealed record AuditBaseRecord(long Seq, byte[] Link);

/// <summary>The vault's audit policy: minimum retention and where alerts are forwarded.</summary>
public sealed record AuditPolicyRecord(int RetentionDays, string Forwarding, long UpdatedMs);

/// <summary>
/// A grant: <see cref="Permissions"/> (KeyPermissions flags) on one key for one principal, until
/// ExpiresMs when set, with a MAC keyed from the metadata key over every field.
/// </summary>
public sealed record GrantRecord(Guid SecretId, Guid PrincipalId, int Permissions, long? ExpiresMs, long CreatedMs, Guid GrantedBy, byte[] Mac);

/// <summary>
/// A principal's TOTP enrolment: the secret sealed under a key derived from the principal's own
/// private key, whether a valid code has confirmed it, and the last time step accepted.
/// </summary>
public sealed record MfaRecord(Guid PrincipalId, SealedBox Secret, bool Confirmed, long LastStep, long UpdatedMs);

/// <summary>The vault's lockout policy when an Admin has changed it.</summary>
public sealed record LockoutPolicyRecord(int MaxFailures, long LockSeconds, long MaxLockSeconds, long UpdatedMs);

/// <summary>A vault setting sealed under the metadata cipher key (see SqliteSchema version 4). Kinds: <see cref="SealedSettingKinds"/>.</summary>
public sealed record SealedSettingRecord(Guid Id, int Kind, SealedBox Sealed, long UpdatedMs);

/// <summary>The kinds of sealed settings. Stored as these numbers; they never change meaning.</summary>
public static class SealedSettingKinds
{
    public const int RotationPolicy = 1;
    public const int RotationExemption = 2;
}

/// <summary>Rekey generation <paramref name="Generation"/>: the previous metadata key sealed under this generation's key.</summary>
public sealed record MetadataKeyLinkRecord(int Generation, SealedBox Sealed, long CreatedMs);

/// <summary>A rekey under way: when and by whom it started, the last key whose data key was rotated, and how many are done.</summary>
public sealed record RekeyProgressRecord(long StartedMs, Guid StartedBy, Guid? Cursor, int Done);

