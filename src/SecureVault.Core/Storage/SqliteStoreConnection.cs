using Microsoft.Data.Sqlite;
using SecureVault.Crypto;

namespace SecureVault.Storage;

/// <summary>
/// One open SQLite connection with its prepared statements, implementing the store's reads and
/// writes. Used by one transaction at a time (the store rents it out).
/// </summary>
internal sealed class SqliteStoreConnection(SqliteConnection connection) : IVaultWriter, IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    public SqliteTransaction? Transaction { get; set; }

    #region Reads

    public HeaderRecord ReadHeader()
    {
        using var reader = Query("SELECT magic, format_version, vault_id, created_ms, header_mac FROM vault_header WHERE id = 1");
        if (!reader.Read()) throw new VaultIntegrityException("the vault header is missing");
        return new HeaderRecord(reader.GetString(0), reader.GetInt32(1), GuidAt(reader, 2, "vault id"), reader.GetInt64(3), Bytes(reader, 4));
    }

    public PrincipalRecord? FindPrincipal(string normalizedName) =>
        QueryPrincipals("WHERE name_key = $p0", normalizedName).FirstOrDefault();

    public PrincipalRecord? FindPrincipal(Guid id) =>
        QueryPrincipals("WHERE principal_id = $p0", id.ToByteArray()).FirstOrDefault();

    public IReadOnlyList<PrincipalRecord> Principals() => QueryPrincipals("ORDER BY created_ms");

    private List<PrincipalRecord> QueryPrincipals(string where, params object[] values)
    {
        var result = new List<PrincipalRecord>();
        using var reader = Query("SELECT principal_id, name, role, ecdh_public, ecdsa_public, created_ms, mk_sender, mk_nonce, mk_cipher, mk_tag, principal_mac, disabled FROM principals " + where, values);
        while (reader.Read())
        {
            result.Add(new PrincipalRecord(GuidAt(reader, 0, "principal id"), reader.GetString(1), reader.GetInt32(2),
                Bytes(reader, 3), Bytes(reader, 4), reader.GetInt64(5), reader.GetInt64(6), Box(reader, 7), Bytes(reader, 10), reader.GetInt64(11) != 0));
        }
        return result;
    }

    public IReadOnlyList<KeyslotRecord> Keyslots(Guid principalId)
    {
        var result = new List<KeyslotRecord>();
        using var reader = Query("SELECT keyslot_id, principal_id, kind, kdf, verifier, nonce, sealed, tag, updated_ms FROM keyslots WHERE principal_id = $p0", principalId.ToByteArray());
        while (reader.Read())
        {
            result.Add(new KeyslotRecord(GuidAt(reader, 0, "keyslot id"), GuidAt(reader, 1, "principal id"), reader.GetInt32(2),
                Bytes(reader, 3), Bytes(reader, 4), Box(reader, 5), reader.GetInt64(8)));
        }
        return result;
    }

    public byte[]? SenderPublicKey(long senderId)
    {
        using var reader = Query("SELECT public_key FROM sender_keys WHERE sender_id = $p0", senderId);
        return reader.Read() ? Bytes(reader, 0) : null;
    }

    public SecretRecord? FindSecret(byte[] nameIndex)
    {
        using var reader = Query("SELECT secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag FROM secrets WHERE name_index = $p0", nameIndex);
        return reader.Read() ? SecretAt(reader, 0) : null;
    }

    public SecretValueRecord? ReadValue(byte[] nameIndex, Guid principalId, int? version)
    {
        // One round trip for the hot path: the secret, this principal's wrapped data key and the version.
        using var reader = Query("""
            SELECT s.secret_id, s.name_index, s.current_version, s.meta_nonce, s.meta_cipher, s.meta_tag,
                   k.sender_id, k.nonce, k.cipher, k.tag,
                   v.version, v.value_type, v.nonce, v.cipher, v.tag, v.created_ms
            FROM secrets s
            LEFT JOIN secret_keys k ON k.secret_id = s.secret_id AND k.principal_id = $p1
            LEFT JOIN secret_versions v ON v.secret_id = s.secret_id AND v.version = COALESCE($p2, s.current_version)
            WHERE s.name_index = $p0
            """, nameIndex, principalId.ToByteArray(), version.HasValue ? version.Value : DBNull.Value);
        if (!reader.Read()) return null;
        var secret = SecretAt(reader, 0);
        var key = reader.IsDBNull(6) ? null : new WrappedKeyRecord(secret.Id, principalId, reader.GetInt64(6), Box(reader, 7));
        var value = reader.IsDBNull(10) ? null
            : new VersionRecord(secret.Id, reader.GetInt32(10), reader.GetInt32(11), Box(reader, 12), reader.GetInt64(15));
        return new SecretValueRecord(secret, key, value);
    }

    public WrappedKeyRecord? WrappedKey(Guid secretId, Guid principalId)
    {
        using var reader = Query("SELECT sender_id, nonce, cipher, tag FROM secret_keys WHERE secret_id = $p0 AND principal_id = $p1",
            secretId.ToByteArray(), principalId.ToByteArray());
        return reader.Read() ? new WrappedKeyRecord(secretId, principalId, reader.GetInt64(0), Box(reader, 1)) : null;
    }

    public IEnumerable<SecretRecord> Secrets()
    {
        using var reader = Query("SELECT secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag FROM secrets");
        while (reader.Read()) yield return SecretAt(reader, 0);
    }

    public long CountSecrets()
    {
        using var reader = Query("SELECT COUNT(*) FROM secrets");
        reader.Read();
        return reader.GetInt64(0);
    }

    public AuditRow? LastAuditRow() => AuditRows(newestFirst: true).FirstOrDefault();

    public IEnumerable<AuditRow> AuditRows(long? sinceMs = null, long? untilMs = null, bool newestFirst = false)
    {
        // Two fixed statements (oldest or newest first) keep the prepared-statement cache small.
        using var reader = Query($"""
            SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log
            WHERE time_ms >= COALESCE($p0, time_ms) AND time_ms < COALESCE($p1, time_ms + 1)
            ORDER BY seq {(newestFirst ? "DESC" : "ASC")}
            """, (object?)sinceMs ?? DBNull.Value, (object?)untilMs ?? DBNull.Value);
        while (reader.Read()) yield return AuditRowFrom(reader);
    }

    public AuditRow? AuditRowAt(long seq)
    {
        using var reader = Query("SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log WHERE seq = $p0", seq);
        return reader.Read() ? AuditRowFrom(reader) : null;
    }

    private static AuditRow AuditRowFrom(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), Bytes(reader, 3), Bytes(reader, 4), reader.IsDBNull(5) ? null : Bytes(reader, 5),
            reader.IsDBNull(6) ? null : GuidAt(reader, 6, "audit target"));

    public IEnumerable<AuditRow> AuditRowsFor(Guid target, string action)
    {
        using var reader = Query("SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log WHERE target = $p0 AND action = $p1 ORDER BY seq DESC",
            target.ToByteArray(), action);
        while (reader.Read()) yield return AuditRowFrom(reader);
    }

    public IEnumerable<AuditRow> AuditRowsOf(string action)
    {
        using var reader = Query("SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log WHERE action = $p0 ORDER BY seq DESC", action);
        while (reader.Read()) yield return AuditRowFrom(reader);
    }

    public long CountAuditRows()
    {
        using var reader = Query("SELECT COUNT(*) FROM audit_log");
        reader.Read();
        return reader.GetInt64(0);
    }

    public AuditBaseRecord? AuditBase()
    {
        using var reader = Query("SELECT seq, link FROM audit_base WHERE id = 1");
        return reader.Read() ? new AuditBaseRecord(reader.GetInt64(0), Bytes(reader, 1)) : null;
    }

    public IReadOnlyList<AuditSignerRecord> AuditSigners()
    {
        var result = new List<AuditSignerRecord>();
        using var reader = Query("SELECT signer_id, principal_id, public_key, valid_from_seq, valid_until_seq, signer_mac FROM audit_signers ORDER BY signer_id");
        while (reader.Read())
        {
            result.Add(new AuditSignerRecord(reader.GetInt64(0), GuidAt(reader, 1, "principal id"), Bytes(reader, 2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), Bytes(reader, 5)));
        }
        return result;
    }

    public AuditPolicyRecord? AuditPolicy()
    {
        using var reader = Query("SELECT retention_days, forwarding, updated_ms FROM audit_policy WHERE id = 1");
        return reader.Read() ? new AuditPolicyRecord(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2)) : null;
    }

    public Identity.LockoutState Lockout(Guid principalId)
    {
        using var reader = Query("SELECT failures, lockouts, locked_until_ms FROM principal_lockout WHERE principal_id = $p0", principalId.ToByteArray());
        return reader.Read() ? new Identity.LockoutState(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2)) : Identity.LockoutState.Clear;
    }

    public IReadOnlyList<Guid> KeyHolders(Guid secretId) =>
        Guids("SELECT principal_id FROM secret_keys WHERE secret_id = $p0", "principal id", secretId.ToByteArray());

    public IReadOnlyList<Guid> SecretsWrappedTo(Guid principalId) =>
        Guids("SELECT secret_id FROM secret_keys WHERE principal_id = $p0", "secret id", principalId.ToByteArray());

    private List<Guid> Guids(string sql, string what, params object[] values)
    {
        var result = new List<Guid>();
        using var reader = Query(sql, values);
        while (reader.Read()) result.Add(GuidAt(reader, 0, what));
        return result;
    }

    public SecretRecord? FindSecret(Guid secretId)
    {
        using var reader = Query("SELECT secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag FROM secrets WHERE secret_id = $p0", secretId.ToByteArray());
        return reader.Read() ? SecretAt(reader, 0) : null;
    }

    public IReadOnlyList<VersionRecord> Versions(Guid secretId)
    {
        var result = new List<VersionRecord>();
        using var reader = Query("SELECT version, value_type, nonce, cipher, tag, created_ms FROM secret_versions WHERE secret_id = $p0 ORDER BY version", secretId.ToByteArray());
        while (reader.Read()) result.Add(new VersionRecord(secretId, reader.GetInt32(0), reader.GetInt32(1), Box(reader, 2), reader.GetInt64(5)));
        return result;
    }

    public GrantRecord? FindGrant(Guid secretId, Guid principalId) =>
        QueryGrants("WHERE secret_id = $p0 AND principal_id = $p1", secretId.ToByteArray(), principalId.ToByteArray()).FirstOrDefault();

    public IReadOnlyList<GrantRecord> Grants(Guid? secretId = null, Guid? principalId = null) =>
        QueryGrants("WHERE secret_id = COALESCE($p0, secret_id) AND principal_id = COALESCE($p1, principal_id)",
            (object?)secretId?.ToByteArray() ?? DBNull.Value, (object?)principalId?.ToByteArray() ?? DBNull.Value);

    private List<GrantRecord> QueryGrants(string where, params object[] values)
    {
        var result = new List<GrantRecord>();
        using var reader = Query("SELECT secret_id, principal_id, permissions, expires_ms, created_ms, granted_by, grant_mac FROM grants " + where, values);
        while (reader.Read())
        {
            result.Add(new GrantRecord(GuidAt(reader, 0, "secret id"), GuidAt(reader, 1, "principal id"), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetInt64(4), GuidAt(reader, 5, "grantor id"), Bytes(reader, 6)));
        }
        return result;
    }

    public MfaRecord? Mfa(Guid principalId)
    {
        using var reader = Query("SELECT nonce, sealed, tag, confirmed, last_step, updated_ms FROM principal_mfa WHERE principal_id = $p0", principalId.ToByteArray());
        return reader.Read() ? new MfaRecord(principalId, Box(reader, 0), reader.GetInt64(3) != 0, reader.GetInt64(4), reader.GetInt64(5)) : null;
    }

    public LockoutPolicyRecord? LockoutPolicy()
    {
        using var reader = Query("SELECT max_failures, lock_seconds, max_lock_seconds, updated_ms FROM lockout_policy WHERE id = 1");
        return reader.Read() ? new LockoutPolicyRecord(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)) : null;
    }

    public IReadOnlyList<SealedSettingRecord> SealedSettings(int kind)
    {
        using var reader = Query("SELECT setting_id, kind, nonce, sealed, tag, updated_ms FROM sealed_settings WHERE kind = $p0 ORDER BY updated_ms, setting_id", kind);
        var result = new List<SealedSettingRecord>();
        while (reader.Read()) result.Add(SettingAt(reader));
        return result;
    }

    public SealedSettingRecord? SealedSetting(Guid id)
    {
        using var reader = Query("SELECT setting_id, kind, nonce, sealed, tag, updated_ms FROM sealed_settings WHERE setting_id = $p0", id.ToByteArray());
        return reader.Read() ? SettingAt(reader) : null;
    }

    private static SealedSettingRecord SettingAt(SqliteDataReader reader) =>
        new(GuidAt(reader, 0, "setting id"), reader.GetInt32(1), Box(reader, 2), reader.GetInt64(5));

    public IReadOnlyList<MetadataKeyLinkRecord> MetadataKeyLinks()
    {
        using var reader = Query("SELECT generation, nonce, sealed, tag, created_ms FROM metadata_key_links ORDER BY generation");
        var result = new List<MetadataKeyLinkRecord>();
        while (reader.Read()) result.Add(new MetadataKeyLinkRecord(reader.GetInt32(0), Box(reader, 1), reader.GetInt64(4)));
        return result;
    }

    public RekeyProgressRecord? RekeyProgress()
    {
        using var reader = Query("SELECT started_ms, started_by, cursor, done FROM rekey_progress WHERE id = 1");
        return reader.Read()
            ? new RekeyProgressRecord(reader.GetInt64(0), GuidAt(reader, 1, "rekey principal"), reader.IsDBNull(2) ? null : GuidAt(reader, 2, "rekey cursor"), reader.GetInt32(3))
            : null;
    }

    public IReadOnlyList<Guid> SecretIdsAfter(Guid? after, int limit) => after is { } cursor
        ? Guids("SELECT secret_id FROM secrets WHERE secret_id > $p0 ORDER BY secret_id LIMIT $p1", "secret id", cursor.ToByteArray(), limit)
        : Guids("SELECT secret_id FROM secrets ORDER BY secret_id LIMIT $p0", "secret id", limit);

    #endregion

    #region Writes

    public void InsertHeader(HeaderRecord header) =>
        Execute("INSERT INTO vault_header (id, magic, format_version, vault_id, created_ms, header_mac) VALUES (1, $p0, $p1, $p2, $p3, $p4)",
            header.Magic, header.FormatVersion, header.VaultId.ToByteArray(), header.CreatedMs, header.HeaderMac);

    public void InsertPrincipal(PrincipalRecord p) =>
        Execute("""
            INSERT INTO principals (principal_id, name, name_key, role, ecdh_public, ecdsa_public, created_ms, mk_sender, mk_nonce, mk_cipher, mk_tag, principal_mac)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11)
            """, p.Id.ToByteArray(), p.Name, Identity.PrincipalNames.Normalize(p.Name), p.Role, p.EcdhPublic, p.EcdsaPublic, p.CreatedMs,
            p.MetadataKeySender, p.WrappedMetadataKey.Nonce, p.WrappedMetadataKey.Ciphertext, p.WrappedMetadataKey.Tag, p.Mac);

    public void UpsertKeyslot(KeyslotRecord k) =>
        Execute("""
            INSERT INTO keyslots (keyslot_id, principal_id, kind, kdf, verifier, nonce, sealed, tag, updated_ms)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8)
            ON CONFLICT (keyslot_id) DO UPDATE SET kind = excluded.kind, kdf = excluded.kdf, verifier = excluded.verifier,
                nonce = excluded.nonce, sealed = excluded.sealed, tag = excluded.tag, updated_ms = excluded.updated_ms
            """, k.Id.ToByteArray(), k.PrincipalId.ToByteArray(), k.Kind, k.Kdf, k.Verifier, k.Sealed.Nonce, k.Sealed.Ciphertext, k.Sealed.Tag, k.UpdatedMs);

    public long InsertSenderKey(Guid principalId, byte[] publicKey, long createdMs)
    {
        using var reader = Query("INSERT INTO sender_keys (principal_id, public_key, created_ms) VALUES ($p0, $p1, $p2) RETURNING sender_id",
            principalId.ToByteArray(), publicKey, createdMs);
        reader.Read();
        return reader.GetInt64(0);
    }

    public void UpsertSecret(SecretRecord s) =>
        Execute("""
            INSERT INTO secrets (secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5)
            ON CONFLICT (secret_id) DO UPDATE SET name_index = excluded.name_index, current_version = excluded.current_version,
                meta_nonce = excluded.meta_nonce, meta_cipher = excluded.meta_cipher, meta_tag = excluded.meta_tag
            """, s.Id.ToByteArray(), s.NameIndex, s.CurrentVersion, s.Metadata.Nonce, s.Metadata.Ciphertext, s.Metadata.Tag);

    public void UpsertWrappedKey(WrappedKeyRecord k) =>
        Execute("""
            INSERT INTO secret_keys (secret_id, principal_id, sender_id, nonce, cipher, tag) VALUES ($p0, $p1, $p2, $p3, $p4, $p5)
            ON CONFLICT (secret_id, principal_id) DO UPDATE SET sender_id = excluded.sender_id, nonce = excluded.nonce,
                cipher = excluded.cipher, tag = excluded.tag
            """, k.SecretId.ToByteArray(), k.PrincipalId.ToByteArray(), k.SenderId, k.Wrapped.Nonce, k.Wrapped.Ciphertext, k.Wrapped.Tag);

    public void InsertVersion(VersionRecord v) =>
        Execute("INSERT INTO secret_versions (secret_id, version, value_type, nonce, cipher, tag, created_ms) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)",
            v.SecretId.ToByteArray(), v.Version, v.ValueType, v.Value.Nonce, v.Value.Ciphertext, v.Value.Tag, v.CreatedMs);

    public int PruneVersions(Guid secretId, int keep) =>
        Execute("""
            DELETE FROM secret_versions WHERE secret_id = $p0 AND version NOT IN
                (SELECT version FROM secret_versions WHERE secret_id = $p0 ORDER BY version DESC LIMIT $p1)
            """, secretId.ToByteArray(), keep);

    public bool DeleteSecret(Guid secretId) =>
        Execute("DELETE FROM secrets WHERE secret_id = $p0", secretId.ToByteArray()) > 0;

    public void InsertAuditRow(AuditRow row) =>
        Execute("INSERT INTO audit_log (seq, time_ms, action, record, hash, signature, target) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)",
            row.Seq, row.TimeMs, row.Action, row.Record, row.Hash, (object?)row.Signature ?? DBNull.Value, (object?)row.Target?.ToByteArray() ?? DBNull.Value);

    public void InsertAuditSigner(AuditSignerRecord signer) =>
        Execute("INSERT INTO audit_signers (principal_id, public_key, valid_from_seq, valid_until_seq, signer_mac) VALUES ($p0, $p1, $p2, $p3, $p4)",
            signer.PrincipalId.ToByteArray(), signer.PublicKey, signer.ValidFromSeq, (object?)signer.ValidUntilSeq ?? DBNull.Value, signer.Mac);

    public int DeleteAuditRowsThrough(long seq) => Execute("DELETE FROM audit_log WHERE seq <= $p0", seq);

    public void SetAuditBase(AuditBaseRecord auditBase) =>
        Execute("INSERT INTO audit_base (id, seq, link) VALUES (1, $p0, $p1) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, link = excluded.link",
            auditBase.Seq, auditBase.Link);

    public void SetLockout(Guid principalId, Identity.LockoutState state) =>
        Execute("""
            INSERT INTO principal_lockout (principal_id, failures, lockouts, locked_until_ms) VALUES ($p0, $p1, $p2, $p3)
            ON CONFLICT (principal_id) DO UPDATE SET failures = excluded.failures, lockouts = excluded.lockouts, locked_until_ms = excluded.locked_until_ms
            """, principalId.ToByteArray(), state.Failures, state.Lockouts, state.LockedUntilMs);

    public void SetAuditPolicy(AuditPolicyRecord policy) =>
        Execute("""
            INSERT INTO audit_policy (id, retention_days, forwarding, updated_ms) VALUES (1, $p0, $p1, $p2)
            ON CONFLICT (id) DO UPDATE SET retention_days = excluded.retention_days, forwarding = excluded.forwarding, updated_ms = excluded.updated_ms
            """, policy.RetentionDays, policy.Forwarding, policy.UpdatedMs);

    public void UpdatePrincipal(Guid principalId, int role, bool disabled, byte[] mac) =>
        Execute("UPDATE principals SET role = $p1, disabled = $p2, principal_mac = $p3 WHERE principal_id = $p0",
            principalId.ToByteArray(), role, disabled ? 1 : 0, mac);

    public void DeletePrincipal(Guid principalId)
    {
        var id = principalId.ToByteArray();
        foreach (var table in new[] { "keyslots", "secret_keys", "grants", "principal_mfa", "principal_lockout", "principals" })
            Execute($"DELETE FROM {table} WHERE principal_id = $p0", id);
    }

    public void DeleteKeyslot(Guid keyslotId) => Execute("DELETE FROM keyslots WHERE keyslot_id = $p0", keyslotId.ToByteArray());

    public void DeleteWrappedKey(Guid secretId, Guid principalId) =>
        Execute("DELETE FROM secret_keys WHERE secret_id = $p0 AND principal_id = $p1", secretId.ToByteArray(), principalId.ToByteArray());

    public void ReplaceVersionValue(Guid secretId, int version, SealedBox value) =>
        Execute("UPDATE secret_versions SET nonce = $p2, cipher = $p3, tag = $p4 WHERE secret_id = $p0 AND version = $p1",
            secretId.ToByteArray(), version, value.Nonce, value.Ciphertext, value.Tag);

    public void UpsertGrant(GrantRecord g) =>
        Execute("""
            INSERT INTO grants (secret_id, principal_id, permissions, expires_ms, created_ms, granted_by, grant_mac) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)
            ON CONFLICT (secret_id, principal_id) DO UPDATE SET permissions = excluded.permissions, expires_ms = excluded.expires_ms,
                created_ms = excluded.created_ms, granted_by = excluded.granted_by, grant_mac = excluded.grant_mac
            """, g.SecretId.ToByteArray(), g.PrincipalId.ToByteArray(), g.Permissions, (object?)g.ExpiresMs ?? DBNull.Value, g.CreatedMs,
            g.GrantedBy.ToByteArray(), g.Mac);

    public void DeleteGrant(Guid secretId, Guid principalId) =>
        Execute("DELETE FROM grants WHERE secret_id = $p0 AND principal_id = $p1", secretId.ToByteArray(), principalId.ToByteArray());

    public void SetMfa(MfaRecord m) =>
        Execute("""
            INSERT INTO principal_mfa (principal_id, nonce, sealed, tag, confirmed, last_step, updated_ms) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)
            ON CONFLICT (principal_id) DO UPDATE SET nonce = excluded.nonce, sealed = excluded.sealed, tag = excluded.tag,
                confirmed = excluded.confirmed, last_step = excluded.last_step, updated_ms = excluded.updated_ms
            """, m.PrincipalId.ToByteArray(), m.Secret.Nonce, m.Secret.Ciphertext, m.Secret.Tag, m.Confirmed ? 1 : 0, m.LastStep, m.UpdatedMs);

    public void DeleteMfa(Guid principalId) => Execute("DELETE FROM principal_mfa WHERE principal_id = $p0", principalId.ToByteArray());

    public void SetLockoutPolicy(LockoutPolicyRecord p) =>
        Execute("""
            INSERT INTO lockout_policy (id, max_failures, lock_seconds, max_lock_seconds, updated_ms) VALUES (1, $p0, $p1, $p2, $p3)
            ON CONFLICT (id) DO UPDATE SET max_failures = excluded.max_failures, lock_seconds = excluded.lock_seconds,
                max_lock_seconds = excluded.max_lock_seconds, updated_ms = excluded.updated_ms
            """, p.MaxFailures, p.LockSeconds, p.MaxLockSeconds, p.UpdatedMs);

    public void CloseAuditSigner(long signerId, long validUntilSeq, byte[] mac) =>
        Execute("UPDATE audit_signers SET valid_until_seq = $p1, signer_mac = $p2 WHERE signer_id = $p0", signerId, validUntilSeq, mac);

    public void UpsertSealedSetting(SealedSettingRecord x) =>
        Execute("""
            INSERT INTO sealed_settings (setting_id, kind, nonce, sealed, tag, updated_ms) VALUES ($p0, $p1, $p2, $p3, $p4, $p5)
            ON CONFLICT (setting_id) DO UPDATE SET kind = excluded.kind, nonce = excluded.nonce, sealed = excluded.sealed,
                tag = excluded.tag, updated_ms = excluded.updated_ms
            """, x.Id.ToByteArray(), x.Kind, x.Sealed.Nonce, x.Sealed.Ciphertext, x.Sealed.Tag, x.UpdatedMs);

    public bool DeleteSealedSetting(Guid id) => Execute("DELETE FROM sealed_settings WHERE setting_id = $p0", id.ToByteArray()) > 0;

    public void InsertMetadataKeyLink(MetadataKeyLinkRecord link) =>
        Execute("INSERT INTO metadata_key_links (generation, nonce, sealed, tag, created_ms) VALUES ($p0, $p1, $p2, $p3, $p4)",
            link.Generation, link.Sealed.Nonce, link.Sealed.Ciphertext, link.Sealed.Tag, link.CreatedMs);

    public void SetRekeyProgress(RekeyProgressRecord? progress)
    {
        if (progress is null)
        {
            Execute("DELETE FROM rekey_progress WHERE id = 1");
            return;
        }
        Execute("""
            INSERT INTO rekey_progress (id, started_ms, started_by, cursor, done) VALUES (1, $p0, $p1, $p2, $p3)
            ON CONFLICT (id) DO UPDATE SET started_ms = excluded.started_ms, started_by = excluded.started_by, cursor = excluded.cursor, done = excluded.done
            """, progress.StartedMs, progress.StartedBy.ToByteArray(), progress.Cursor?.ToByteArray(), progress.Done);
    }

    public void UpdatePrincipalMetadataKey(Guid principalId, long senderId, SealedBox wrapped, byte[] mac) =>
        Execute("UPDATE principals SET mk_sender = $p1, mk_nonce = $p2, mk_cipher = $p3, mk_tag = $p4, principal_mac = $p5 WHERE principal_id = $p0",
            principalId.ToByteArray(), senderId, wrapped.Nonce, wrapped.Ciphertext, wrapped.Tag, mac);

    public void UpdateAuditSignerMac(long signerId, byte[] mac) =>
        Execute("UPDATE audit_signers SET signer_mac = $p1 WHERE signer_id = $p0", signerId, mac);

    public void UpdateHeaderMac(byte[] mac) => Execute("UPDATE vault_header SET header_mac = $p0 WHERE id = 1", mac);

    #endregion

    #region Statement cache and column helpers

    private SqliteCommand Prepare(string sql, object?[] values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            for (int i = 0; i < values.Length; i++) command.Parameters.Add(new SqliteParameter("$p" + i, null));
            _commands[sql] = command;
        }
        command.Transaction = Transaction;
        for (int i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command;
    }

    private SqliteDataReader Query(string sql, params object?[] values) => Prepare(sql, values).ExecuteReader();

    private int Execute(string sql, params object?[] values) => Prepare(sql, values).ExecuteNonQuery();

    private static byte[] Bytes(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? Array.Empty<byte>()
        : reader.GetValue(column) as byte[] ?? throw new VaultIntegrityException($"a stored {reader.GetName(column)} is not binary data");

    private static SealedBox Box(SqliteDataReader reader, int first) =>
        new(Bytes(reader, first), Bytes(reader, first + 1), Bytes(reader, first + 2));

    private static Guid GuidAt(SqliteDataReader reader, int column, string what)
    {
        var bytes = Bytes(reader, column);
        if (bytes.Length != 16) throw new VaultIntegrityException($"a stored {what} has the wrong length");
        return new Guid(bytes);
    }

    private static SecretRecord SecretAt(SqliteDataReader reader, int first) =>
        new(GuidAt(reader, first, "secret id"), Bytes(reader, first + 1), reader.GetInt32(first + 2), Box(reader, first + 3));

    #endregion

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        Connection.Dispose();
    }
}
