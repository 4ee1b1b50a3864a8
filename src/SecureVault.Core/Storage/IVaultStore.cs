namespace SecureVault.Storage;

/// <summary>
/// Where a vault's records live. Every operation is one transaction: the engine passes a unit of
/// work to <see cref="Read{T}"/> or <see cref="Write{T}"/>, and everything it does commits
/// together or not at all (the audit record of later formats joins the same transaction).
/// Stores hold only ciphertext, blind indexes and public keys.
/// </summary>
public interface IVaultStore : IDisposable
{
    /// <summary>What kind of store this is, for status output ("SQLite", "PostgreSQL").</summary>
    string Kind { get; }

    /// <summary>Where it is (a path or a server and database), for status output and messages.</summary>
    string Location { get; }

    /// <summary>True when a vault has been created here.</summary>
    bool Exists();

    /// <summary>
    /// Creates the vault: the empty schema and <paramref name="firstWrite"/> (header, first
    /// principal, first audit record) commit as one, and a failure leaves nothing behind (the
    /// location stays free for a retry). Fails if a vault already exists.
    /// </summary>
    T Initialize<T>(Func<IVaultWriter, T> firstWrite);

    /// <summary>
    /// Moves committed changes out of any journal into the main store and empties the journal,
    /// so superseded bytes (an old keyslot after a password change) do not linger there.
    /// </summary>
    void Checkpoint();

    /// <summary>Closes connections not in use (they reopen on demand); called when a vault is locked.</summary>
    void ReleaseIdleConnections();

    /// <summary>
    /// The store's own structural check (for SQLite: PRAGMA integrity_check and
    /// foreign_key_check): one line per problem found, empty when there is none. Reads only.
    /// </summary>
    IReadOnlyList<string> SelfCheck();

    /// <summary>Runs <paramref name="work"/> in one read transaction (a consistent snapshot).</summary>
    T Read<T>(Func<IVaultReader, T> work);

    /// <summary>Runs <paramref name="work"/> in one write transaction, serialized against every other writer.</summary>
    T Write<T>(Func<IVaultWriter, T> work);

    #region Backups (Backup-Vault, Restore-Vault)

    /// <summary>
    /// Writes a consistent copy of the whole vault, taken while others may go on writing, to the
    /// new file <paramref name="path"/> (created owner-only; it must not exist), with
    /// <paramref name="head"/> (the signed audit anchor the copy must hold) stored in it. A store
    /// that is not a file (a server database, backed up with its own tools) throws
    /// <see cref="VaultStorageException"/> saying so.
    /// </summary>
    void BackupTo(string path, byte[] head);

    /// <summary>Opens a backup file read-only, to check it; nothing is ever written to it.</summary>
    IVaultBackupFile OpenBackup(string path);

    /// <summary>
    /// Copies a backup file to a private working file beside this vault, runs
    /// <paramref name="check"/> on that copy (opened read-only, as <see cref="OpenBackup"/> opens
    /// one; its answer is <paramref name="checkedResult"/>), and only when it passes makes the copy a
    /// working vault and returns a store over it, to be unlocked, checked and given its restore
    /// record before <see cref="ReplaceWith"/> puts it in place. The checks see the bytes that are
    /// installed, whatever happens to the backup file meanwhile. The caller disposes the store;
    /// <see cref="ReplaceWith"/> consumes it.
    /// </summary>
    IVaultStore StageRestore<T>(string backupPath, Func<IVaultBackupFile, T> check, out T checkedResult);

    /// <summary>
    /// Replaces this vault (or creates it, when none is here yet) with a staged copy, atomically:
    /// at every moment the location holds either the old vault or the whole copy. This process's
    /// connections to the old vault are closed first; another process that has it open is refused.
    /// </summary>
    void ReplaceWith(IVaultStore staged);

    #endregion
}

/// <summary>A backup file opened read-only for checking.</summary>
public interface IVaultBackupFile : IDisposable
{
    /// <summary>The problems SQLite's integrity check finds in the file (none: it is sound).</summary>
    IReadOnlyList<string> IntegrityProblems();

    /// <summary>The signed audit head the backup was written with, or null when it has none.</summary>
    byte[]? Head();

    /// <summary>Runs <paramref name="work"/> over the copy's records in one read transaction.</summary>
    T Read<T>(Func<IVaultReader, T> work);
}

/// <summary>Reads inside one transaction.</summary>
public interface IVaultReader
{
    HeaderRecord ReadHeader();
    PrincipalRecord? FindPrincipal(string normalizedName);
    PrincipalRecord? FindPrincipal(Guid id);
    IReadOnlyList<PrincipalRecord> Principals();
    IReadOnlyList<KeyslotRecord> Keyslots(Guid principalId);
    byte[]? SenderPublicKey(long senderId);
    SecretRecord? FindSecret(byte[] nameIndex);
    SecretValueRecord? ReadValue(byte[] nameIndex, Guid principalId, int? version);
    WrappedKeyRecord? WrappedKey(Guid secretId, Guid principalId);
    IEnumerable<SecretRecord> Secrets();
    long CountSecrets();

    /// <summary>The newest audit record, or null when the log is empty.</summary>
    AuditRow? LastAuditRow();
    /// <summary>Audit records in sequence order (newest first when asked), optionally within a time range.</summary>
    IEnumerable<AuditRow> AuditRows(long? sinceMs = null, long? untilMs = null, bool newestFirst = false);
    AuditRow? AuditRowAt(long seq);
    /// <summary>The records of <paramref name="action"/> about key <paramref name="target"/>, newest first.</summary>
    IEnumerable<AuditRow> AuditRowsFor(Guid target, string action);
    /// <summary>Records of one action, newest first.</summary>
    IEnumerable<AuditRow> AuditRowsOf(string action);
    long CountAuditRows();
    AuditBaseRecord? AuditBase();
    IReadOnlyList<AuditSignerRecord> AuditSigners();
    AuditPolicyRecord? AuditPolicy();
    /// <summary>A principal's lockout state; <see cref="Identity.LockoutState.Clear"/> when none is stored.</summary>
    Identity.LockoutState Lockout(Guid principalId);
    /// <summary>The principals holding a wrapped copy of a key's data key.</summary>
    IReadOnlyList<Guid> KeyHolders(Guid secretId);
    /// <summary>The keys whose data key is wrapped to a principal.</summary>
    IReadOnlyList<Guid> SecretsWrappedTo(Guid principalId);
    SecretRecord? FindSecret(Guid secretId);
    IReadOnlyList<VersionRecord> Versions(Guid secretId);
    GrantRecord? FindGrant(Guid secretId, Guid principalId);
    /// <summary>Grants, optionally only those on one key or for one principal.</summary>
    IReadOnlyList<GrantRecord> Grants(Guid? secretId = null, Guid? principalId = null);
    MfaRecord? Mfa(Guid principalId);
    LockoutPolicyRecord? LockoutPolicy();
    IReadOnlyList<SealedSettingRecord> SealedSettings(int kind);
    SealedSettingRecord? SealedSetting(Guid id);
    /// <summary>The rekey links, oldest generation first.</summary>
    IReadOnlyList<MetadataKeyLinkRecord> MetadataKeyLinks();
    RekeyProgressRecord? RekeyProgress();
    /// <summary>Up to <paramref name="limit"/> key ids greater than <paramref name="after"/>, in id order (a stable walk for a resumable rekey).</summary>
    IReadOnlyList<Guid> SecretIdsAfter(Guid? after, int limit);
}

/// <summary>Reads and writes inside one write transaction.</summary>
public interface IVaultWriter : IVaultReader
{
    void InsertHeader(HeaderRecord header);
    void InsertPrincipal(PrincipalRecord principal);
    void UpsertKeyslot(KeyslotRecord keyslot);
    long InsertSenderKey(Guid principalId, byte[] publicKey, long createdMs);
    void UpsertSecret(SecretRecord secret);
    void UpsertWrappedKey(WrappedKeyRecord key);
    void InsertVersion(VersionRecord version);
    int PruneVersions(Guid secretId, int keep);
    bool DeleteSecret(Guid secretId);
    void InsertAuditRow(AuditRow row);
    void InsertAuditSigner(AuditSignerRecord signer);
    /// <summary>Removes every audit record up to and including <paramref name="seq"/>; returns how many.</summary>
    int DeleteAuditRowsThrough(long seq);
    void SetAuditBase(AuditBaseRecord auditBase);
    void SetAuditPolicy(AuditPolicyRecord policy);
    void SetLockout(Guid principalId, Identity.LockoutState state);
    void UpdatePrincipal(Guid principalId, int role, bool disabled, byte[] mac);
    /// <summary>Removes a principal with its keyslots, wrapped keys, grants, MFA and lockout state.</summary>
    void DeletePrincipal(Guid principalId);
    void DeleteKeyslot(Guid keyslotId);
    void DeleteWrappedKey(Guid secretId, Guid principalId);
    /// <summary>Replaces the sealed value of an existing version (after its data key was rotated).</summary>
    void ReplaceVersionValue(Guid secretId, int version, Crypto.SealedBox value);
    void UpsertGrant(GrantRecord grant);
    void DeleteGrant(Guid secretId, Guid principalId);
    void SetMfa(MfaRecord mfa);
    void DeleteMfa(Guid principalId);
    void SetLockoutPolicy(LockoutPolicyRecord policy);
    /// <summary>Closes a signing key's range: it may sign records before <paramref name="validUntilSeq"/> only.</summary>
    void CloseAuditSigner(long signerId, long validUntilSeq, byte[] mac);
    void UpsertSealedSetting(SealedSettingRecord setting);
    bool DeleteSealedSetting(Guid id);
    void InsertMetadataKeyLink(MetadataKeyLinkRecord link);
    /// <summary>Records a rekey's progress; null removes it (the rekey finished).</summary>
    void SetRekeyProgress(RekeyProgressRecord? progress);
    /// <summary>Replaces a principal's wrapped copy of the metadata key and its MAC (at a rekey).</summary>
    void UpdatePrincipalMetadataKey(Guid principalId, long senderId, Crypto.SealedBox wrapped, byte[] mac);
    void UpdateAuditSignerMac(long signerId, byte[] mac);
    void UpdateHeaderMac(byte[] mac);
}
