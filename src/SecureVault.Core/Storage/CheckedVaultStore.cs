using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Identity;

namespace SecureVault.Storage;

/// <summary>
/// The engine's view of any store (SQLite today, PostgreSQL later): every row a lookup returns is
/// compared with what was asked for (key id, name index, version, principal, keyslot owner, grant,
/// setting, audit sequence) before the engine sees it, so a damaged index or a store that answers
/// with another row yields <see cref="VaultIntegrityException"/>, never another row's data. The
/// engine wraps every store it is given in one of these, so no lookup can skip the check.
/// </summary>
/// <remarks>
/// The checks are on identity only; authenticity (MACs, AEAD tags) is checked by the engine, and
/// range checks of stored numbers by the store's own reader. A lookup by principal id that finds
/// nothing is checked against a scan of the principals: a row that exists but cannot be found
/// through the index is damage, not a removed principal.
/// </remarks>
internal sealed class CheckedVaultStore(IVaultStore inner) : IVaultStore
{
    public string Kind => inner.Kind;
    public string Location => inner.Location;
    public bool Exists() => inner.Exists();
    public T Initialize<T>(Func<IVaultWriter, T> firstWrite) => inner.Initialize(w => firstWrite(new CheckedWriter(w)));
    public void Checkpoint() => inner.Checkpoint();
    public void ReleaseIdleConnections() => inner.ReleaseIdleConnections();
    public IReadOnlyList<string> SelfCheck() => inner.SelfCheck();
    public T Read<T>(Func<IVaultReader, T> work) => inner.Read(r => work(new CheckedReader(r)));
    public T Write<T>(Func<IVaultWriter, T> work) => inner.Write(w => work(new CheckedWriter(w)));
    public void Dispose() => inner.Dispose();

    public void BackupTo(string path, byte[] head) => inner.BackupTo(path, head);
    public IVaultBackupFile OpenBackup(string path) => new CheckedBackupFile(inner.OpenBackup(path));
    public IVaultStore StageRestore<T>(string backupPath, Func<IVaultBackupFile, T> check, out T checkedResult) =>
        inner.StageRestore(backupPath, copy => check(new CheckedBackupFile(copy)), out checkedResult);

    // The staged copy is the inner store's own: it is handed back unwrapped.
    public void ReplaceWith(IVaultStore staged) => inner.ReplaceWith(staged is CheckedVaultStore checkedStore ? checkedStore.Unchecked : staged);

    private IVaultStore Unchecked => inner;

    /// <summary>A backup file whose reads are checked like the vault's own.</summary>
    private sealed class CheckedBackupFile(IVaultBackupFile file) : IVaultBackupFile
    {
        public IReadOnlyList<string> IntegrityProblems() => file.IntegrityProblems();
        public byte[]? Head() => file.Head();
        public T Read<T>(Func<IVaultReader, T> work) => file.Read(r => work(new CheckedReader(r)));
        public void Dispose() => file.Dispose();
    }

    /// <summary>Wraps <paramref name="store"/> unless it is already checked.</summary>
    public static IVaultStore Around(IVaultStore store) => store as CheckedVaultStore ?? new CheckedVaultStore(store);

    internal static VaultIntegrityException Mismatch(string what) =>
        new($"the store returned {what} other than the one asked for (a damaged index or a store fault)");
}

/// <summary>Reads with every returned row checked against the request (see <see cref="CheckedVaultStore"/>).</summary>
internal class CheckedReader(IVaultReader inner) : IVaultReader
{
    private static VaultIntegrityException Mismatch(string what) => CheckedVaultStore.Mismatch(what);

    public HeaderRecord ReadHeader() => inner.ReadHeader();

    public PrincipalRecord? FindPrincipal(string normalizedName)
    {
        var found = inner.FindPrincipal(normalizedName);
        if (found != null)
        {
            if (PrincipalNames.Normalize(found.Name) != normalizedName) throw Mismatch("a principal row");
            return found;
        }
        if (Principals().Any(p => PrincipalNames.Normalize(p.Name) == normalizedName))
            throw new VaultIntegrityException("a principal exists but cannot be found by its name: the principals' index is damaged");
        return null;
    }

    public PrincipalRecord? FindPrincipal(Guid id)
    {
        var found = inner.FindPrincipal(id);
        if (found != null)
        {
            if (found.Id != id) throw Mismatch("a principal row");
            return found;
        }
        if (Principals().Any(p => p.Id == id))
            throw new VaultIntegrityException("a principal exists but cannot be found by its id: the principals' index is damaged");
        return null;
    }

    public IReadOnlyList<PrincipalRecord> Principals()
    {
        var all = inner.Principals();
        if (all.Select(p => p.Id).Distinct().Count() != all.Count || all.Select(p => PrincipalNames.Normalize(p.Name)).Distinct().Count() != all.Count)
            throw new VaultIntegrityException("the principals table holds the same principal twice");
        return all;
    }

    public IReadOnlyList<KeyslotRecord> Keyslots(Guid principalId)
    {
        var slots = inner.Keyslots(principalId);
        if (slots.Any(k => k.PrincipalId != principalId)) throw Mismatch("a keyslot of a principal");
        if (slots.Select(k => k.Id).Distinct().Count() != slots.Count) throw Mismatch("a keyslot list");
        return slots;
    }

    public byte[]? SenderPublicKey(long senderId) => inner.SenderPublicKey(senderId);

    public SecretRecord? FindSecret(byte[] nameIndex)
    {
        var found = inner.FindSecret(nameIndex);
        if (found != null && !CryptographicOperations.FixedTimeEquals(found.NameIndex, nameIndex)) throw Mismatch("a key row");
        return found;
    }

    public SecretValueRecord? ReadValue(byte[] nameIndex, Guid principalId, int? version)
    {
        var found = inner.ReadValue(nameIndex, principalId, version);
        if (found is null) return null;
        var secret = found.Secret;
        if (!CryptographicOperations.FixedTimeEquals(secret.NameIndex, nameIndex)) throw Mismatch("a key row");
        if (found.Key is { } key && (key.SecretId != secret.Id || key.PrincipalId != principalId)) throw Mismatch("a wrapped data key");
        if (found.Version is { } v && (v.SecretId != secret.Id || v.Version != (version ?? secret.CurrentVersion))) throw Mismatch("a version row");
        return found;
    }

    public WrappedKeyRecord? WrappedKey(Guid secretId, Guid principalId)
    {
        var found = inner.WrappedKey(secretId, principalId);
        if (found != null && (found.SecretId != secretId || found.PrincipalId != principalId)) throw Mismatch("a wrapped data key");
        return found;
    }

    public IEnumerable<SecretRecord> Secrets() => inner.Secrets();

    public long CountSecrets() => inner.CountSecrets();

    public AuditRow? LastAuditRow() => AuditRows(newestFirst: true).FirstOrDefault();

    public IEnumerable<AuditRow> AuditRows(long? sinceMs = null, long? untilMs = null, bool newestFirst = false)
    {
        long? previous = null;
        foreach (var row in inner.AuditRows(sinceMs, untilMs, newestFirst))
        {
            // Strictly in the order asked for: a damaged index must not repeat or reorder records
            // (the next record's number is taken from the newest one).
            if (previous is { } p && (newestFirst ? row.Seq >= p : row.Seq <= p)) throw Mismatch("audit records in an order");
            if (row.TimeMs < (sinceMs ?? long.MinValue) || row.TimeMs >= (untilMs ?? long.MaxValue)) throw Mismatch("an audit record outside the time range");
            previous = row.Seq;
            yield return row;
        }
    }

    public AuditRow? AuditRowAt(long seq)
    {
        var found = inner.AuditRowAt(seq);
        if (found != null && found.Seq != seq) throw Mismatch("an audit record");
        return found;
    }

    public IEnumerable<AuditRow> AuditRowsFor(Guid target, string action)
    {
        foreach (var row in inner.AuditRowsFor(target, action))
        {
            if (row.Target != target || row.Action != action) throw Mismatch("an audit record");
            yield return row;
        }
    }

    public IEnumerable<AuditRow> AuditRowsOf(string action)
    {
        foreach (var row in inner.AuditRowsOf(action))
        {
            if (row.Action != action) throw Mismatch("an audit record");
            yield return row;
        }
    }

    public long CountAuditRows() => inner.CountAuditRows();

    public AuditBaseRecord? AuditBase() => inner.AuditBase();

    public IReadOnlyList<AuditSignerRecord> AuditSigners() => inner.AuditSigners();

    public AuditPolicyRecord? AuditPolicy() => inner.AuditPolicy();

    public LockoutState Lockout(Guid principalId) => inner.Lockout(principalId);

    public IReadOnlyList<Guid> KeyHolders(Guid secretId) => Distinct(inner.KeyHolders(secretId), "a key's holders");

    public IReadOnlyList<Guid> SecretsWrappedTo(Guid principalId) => Distinct(inner.SecretsWrappedTo(principalId), "a principal's keys");

    private static IReadOnlyList<Guid> Distinct(IReadOnlyList<Guid> ids, string what) =>
        ids.Distinct().Count() == ids.Count ? ids : throw Mismatch(what);

    public SecretRecord? FindSecret(Guid secretId)
    {
        var found = inner.FindSecret(secretId);
        if (found != null && found.Id != secretId) throw Mismatch("a key row");
        return found;
    }

    public IReadOnlyList<VersionRecord> Versions(Guid secretId)
    {
        var versions = inner.Versions(secretId);
        for (int i = 0; i < versions.Count; i++)
        {
            if (versions[i].SecretId != secretId) throw Mismatch("a version row");
            if (i > 0 && versions[i].Version <= versions[i - 1].Version) throw Mismatch("version rows in an order");
        }
        return versions;
    }

    public GrantRecord? FindGrant(Guid secretId, Guid principalId)
    {
        var found = inner.FindGrant(secretId, principalId);
        if (found != null && (found.SecretId != secretId || found.PrincipalId != principalId)) throw Mismatch("a grant");
        return found;
    }

    public IReadOnlyList<GrantRecord> Grants(Guid? secretId = null, Guid? principalId = null)
    {
        var grants = inner.Grants(secretId, principalId);
        if (grants.Any(g => (secretId is { } s && g.SecretId != s) || (principalId is { } p && g.PrincipalId != p))) throw Mismatch("a grant");
        if (grants.Select(g => (g.SecretId, g.PrincipalId)).Distinct().Count() != grants.Count) throw Mismatch("a grant list");
        return grants;
    }

    public MfaRecord? Mfa(Guid principalId)
    {
        var found = inner.Mfa(principalId);
        if (found != null && found.PrincipalId != principalId) throw Mismatch("an MFA enrolment");
        return found;
    }

    public LockoutPolicyRecord? LockoutPolicy() => inner.LockoutPolicy();

    public IReadOnlyList<SealedSettingRecord> SealedSettings(int kind)
    {
        var settings = inner.SealedSettings(kind);
        if (settings.Any(x => x.Kind != kind)) throw Mismatch("a setting");
        if (settings.Select(x => x.Id).Distinct().Count() != settings.Count) throw Mismatch("a setting list");
        return settings;
    }

    public SealedSettingRecord? SealedSetting(Guid id)
    {
        var found = inner.SealedSetting(id);
        if (found != null && found.Id != id) throw Mismatch("a setting");
        return found;
    }

    public IReadOnlyList<MetadataKeyLinkRecord> MetadataKeyLinks()
    {
        var links = inner.MetadataKeyLinks();
        for (int i = 1; i < links.Count; i++)
            if (links[i].Generation <= links[i - 1].Generation) throw Mismatch("rekey links in an order");
        return links;
    }

    public RekeyProgressRecord? RekeyProgress() => inner.RekeyProgress();

    public IReadOnlyList<Guid> SecretIdsAfter(Guid? after, int limit)
    {
        var ids = inner.SecretIdsAfter(after, limit);
        if (ids.Count > limit || ids.Distinct().Count() != ids.Count || (after is { } a && ids.Contains(a))) throw Mismatch("a page of keys");
        return ids;
    }
}

/// <summary>Writes pass straight through; the reads of a write transaction are checked like any other.</summary>
internal sealed class CheckedWriter(IVaultWriter inner) : CheckedReader(inner), IVaultWriter
{
    public void InsertHeader(HeaderRecord header) => inner.InsertHeader(header);
    public void InsertPrincipal(PrincipalRecord principal) => inner.InsertPrincipal(principal);
    public void UpsertKeyslot(KeyslotRecord keyslot) => inner.UpsertKeyslot(keyslot);
    public long InsertSenderKey(Guid principalId, byte[] publicKey, long createdMs) => inner.InsertSenderKey(principalId, publicKey, createdMs);
    public void UpsertSecret(SecretRecord secret) => inner.UpsertSecret(secret);
    public void UpsertWrappedKey(WrappedKeyRecord key) => inner.UpsertWrappedKey(key);
    public void InsertVersion(VersionRecord version) => inner.InsertVersion(version);
    public int PruneVersions(Guid secretId, int keep) => inner.PruneVersions(secretId, keep);
    public bool DeleteSecret(Guid secretId) => inner.DeleteSecret(secretId);
    public void InsertAuditRow(AuditRow row) => inner.InsertAuditRow(row);
    public void InsertAuditSigner(AuditSignerRecord signer) => inner.InsertAuditSigner(signer);
    public int DeleteAuditRowsThrough(long seq) => inner.DeleteAuditRowsThrough(seq);
    public void SetAuditBase(AuditBaseRecord auditBase) => inner.SetAuditBase(auditBase);
    public void SetAuditPolicy(AuditPolicyRecord policy) => inner.SetAuditPolicy(policy);
    public void SetLockout(Guid principalId, LockoutState state) => inner.SetLockout(principalId, state);
    public void UpdatePrincipal(Guid principalId, int role, bool disabled, byte[] mac) => inner.UpdatePrincipal(principalId, role, disabled, mac);
    public void DeletePrincipal(Guid principalId) => inner.DeletePrincipal(principalId);
    public void DeleteKeyslot(Guid keyslotId) => inner.DeleteKeyslot(keyslotId);
    public void DeleteWrappedKey(Guid secretId, Guid principalId) => inner.DeleteWrappedKey(secretId, principalId);
    public void ReplaceVersionValue(Guid secretId, int version, SealedBox value) => inner.ReplaceVersionValue(secretId, version, value);
    public void UpsertGrant(GrantRecord grant) => inner.UpsertGrant(grant);
    public void DeleteGrant(Guid secretId, Guid principalId) => inner.DeleteGrant(secretId, principalId);
    public void SetMfa(MfaRecord mfa) => inner.SetMfa(mfa);
    public void DeleteMfa(Guid principalId) => inner.DeleteMfa(principalId);
    public void SetLockoutPolicy(LockoutPolicyRecord policy) => inner.SetLockoutPolicy(policy);
    public void CloseAuditSigner(long signerId, long validUntilSeq, byte[] mac) => inner.CloseAuditSigner(signerId, validUntilSeq, mac);
    public void UpsertSealedSetting(SealedSettingRecord setting) => inner.UpsertSealedSetting(setting);
    public bool DeleteSealedSetting(Guid id) => inner.DeleteSealedSetting(id);
    public void InsertMetadataKeyLink(MetadataKeyLinkRecord link) => inner.InsertMetadataKeyLink(link);
    public void SetRekeyProgress(RekeyProgressRecord? progress) => inner.SetRekeyProgress(progress);
    public void UpdatePrincipalMetadataKey(Guid principalId, long senderId, SealedBox wrapped, byte[] mac) => inner.UpdatePrincipalMetadataKey(principalId, senderId, wrapped, mac);
    public void UpdateAuditSignerMac(long signerId, byte[] mac) => inner.UpdateAuditSignerMac(signerId, mac);
    public void UpdateHeaderMac(byte[] mac) => inner.UpdateHeaderMac(mac);
}
