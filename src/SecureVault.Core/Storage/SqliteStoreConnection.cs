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

    // Every cell is read through SqliteRow (type and range checked), and every key column a query
    // looks up by is compared with the key asked for: a damaged index must not hand back another row.

    public HeaderRecord ReadHeader()
    {
        using var reader = Query("SELECT magic, format_version, vault_id, created_ms, header_mac, id FROM vault_header WHERE id = 1");
        if (!reader.Read()) throw new VaultIntegrityException("the vault header is missing");
        var row = new SqliteRow(reader, "vault_header");
        row.Expect(5, 1L);
        return new HeaderRecord(row.Text(0), row.Int(1), row.Id(2), row.Time(3), row.Blob(4));
    }

    public PrincipalRecord? FindPrincipal(string normalizedName) =>
        QueryPrincipals("WHERE name_key = $p0", normalizedName).FirstOrDefault();

    public PrincipalRecord? FindPrincipal(Guid id)
    {
        var found = QueryPrincipals("WHERE principal_id = $p0", id.ToByteArray());
        return found.Count switch
        {
            0 => null,
            1 when found[0].Id == id => found[0],
            _ => throw new VaultIntegrityException("the principal row found by id is not the one asked for: an index is damaged"),
        };
    }

    public IReadOnlyList<PrincipalRecord> Principals() => QueryPrincipals("ORDER BY created_ms");

    private List<PrincipalRecord> QueryPrincipals(string where, params object[] values)
    {
        var result = new List<PrincipalRecord>();
        using var reader = Query("SELECT principal_id, name, role, ecdh_public, ecdsa_public, created_ms, mk_sender, mk_nonce, mk_cipher, mk_tag, principal_mac, disabled, name_key FROM principals " + where, values);
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "principals");
            // The lookup column must be the one asked for, and must agree with the (MAC-covered) name.
            var nameKey = row.Text(12);
            if (values.Length == 1 && values[0] is string asked) row.Expect(12, asked);
            var name = row.Text(1);
            if (!string.Equals(Identity.PrincipalNames.Normalize(name), nameKey, StringComparison.Ordinal))
                throw new VaultIntegrityException($"the principal row of '{name}' is filed under another name");
            result.Add(new PrincipalRecord(row.Id(0), name, row.Int(2), row.Blob(3), row.Blob(4), row.Time(5), row.Long(6, 1), row.Box(7), row.Blob(10), row.Flag(11)));
        }
        if (values.Length == 1 && result.Count > 1) throw new VaultIntegrityException("a principal lookup found more than one row: an index is damaged");
        return result;
    }

    public IReadOnlyList<KeyslotRecord> Keyslots(Guid principalId)
    {
        var result = new List<KeyslotRecord>();
        using var reader = Query("SELECT keyslot_id, principal_id, kind, kdf, verifier, nonce, sealed, tag, updated_ms FROM keyslots WHERE principal_id = $p0", principalId.ToByteArray());
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "keyslots");
            row.Expect(1, principalId);
            result.Add(new KeyslotRecord(row.Id(0), principalId, row.Int(2), row.Blob(3), row.Blob(4), row.Box(5), row.Time(8)));
        }
        return result;
    }

    public byte[]? SenderPublicKey(long senderId)
    {
        using var reader = Query("SELECT public_key, sender_id FROM sender_keys WHERE sender_id = $p0", senderId);
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "sender_keys");
        row.Expect(1, senderId);
        return row.Blob(0);
    }

    public SecretRecord? FindSecret(byte[] nameIndex)
    {
        using var reader = Query("SELECT secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag FROM secrets WHERE name_index = $p0", nameIndex);
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "secrets");
        row.Expect(1, nameIndex);
        return SecretAt(row, 0);
    }

    public SecretValueRecord? ReadValue(byte[] nameIndex, Guid principalId, int? version)
    {
        // One round trip for the hot path: the secret, this principal's wrapped data key and the version.
        using var reader = Query("""
            SELECT s.secret_id, s.name_index, s.current_version, s.meta_nonce, s.meta_cipher, s.meta_tag,
                   k.sender_id, k.nonce, k.cipher, k.tag,
                   v.version, v.value_type, v.nonce, v.cipher, v.tag, v.created_ms,
                   k.secret_id, k.principal_id, v.secret_id
            FROM secrets s
            LEFT JOIN secret_keys k ON k.secret_id = s.secret_id AND k.principal_id = $p1
            LEFT JOIN secret_versions v ON v.secret_id = s.secret_id AND v.version = COALESCE($p2, s.current_version)
            WHERE s.name_index = $p0
            """, nameIndex, principalId.ToByteArray(), version.HasValue ? version.Value : DBNull.Value);
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "secrets");
        row.Expect(1, nameIndex);
        var secret = SecretAt(row, 0);
        WrappedKeyRecord? key = null;
        if (!reader.IsDBNull(16))
        {
            var keyRow = new SqliteRow(reader, "secret_keys");
            keyRow.Expect(16, secret.Id);
            keyRow.Expect(17, principalId);
            key = new WrappedKeyRecord(secret.Id, principalId, keyRow.Long(6, 1), keyRow.Box(7));
        }
        VersionRecord? value = null;
        if (!reader.IsDBNull(18))
        {
            var versionRow = new SqliteRow(reader, "secret_versions");
            versionRow.Expect(18, secret.Id);
            versionRow.Expect(10, version ?? secret.CurrentVersion);
            value = new VersionRecord(secret.Id, versionRow.Int(10, 1), versionRow.Int(11), versionRow.Box(12), versionRow.Time(15));
        }
        if (reader.Read()) throw new VaultIntegrityException("a key lookup found more than one row: an index is damaged");
        return new SecretValueRecord(secret, key, value);
    }

    public WrappedKeyRecord? WrappedKey(Guid secretId, Guid principalId)
    {
        using var reader = Query("SELECT sender_id, nonce, cipher, tag, secret_id, principal_id FROM secret_keys WHERE secret_id = $p0 AND principal_id = $p1",
            secretId.ToByteArray(), principalId.ToByteArray());
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "secret_keys");
        row.Expect(4, secretId);
        row.Expect(5, principalId);
        return new WrappedKeyRecord(secretId, principalId, row.Long(0, 1), row.Box(1));
    }

    public IEnumerable<SecretRecord> Secrets()
    {
        using var reader = Query("SELECT secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag FROM secrets");
        while (reader.Read()) yield return SecretAt(new SqliteRow(reader, "secrets"), 0);
    }

    public long CountSecrets() => Count("SELECT COUNT(*) FROM secrets");

    public AuditRow? LastAuditRow() => AuditRows(newestFirst: true).FirstOrDefault();

    public IEnumerable<AuditRow> AuditRows(long? sinceMs = null, long? untilMs = null, bool newestFirst = false)
    {
        // Two fixed statements (oldest or newest first) keep the prepared-statement cache small.
        // Without bounds every row comes back, whatever its time_ms holds: a damaged one (text
        // compares above any number) must fail its read, not drop out of the log unseen.
        using var reader = Query($"""
            SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log
            WHERE ($p0 IS NULL OR time_ms >= $p0) AND ($p1 IS NULL OR time_ms < $p1)
            ORDER BY seq {(newestFirst ? "DESC" : "ASC")}
            """, (object?)sinceMs ?? DBNull.Value, (object?)untilMs ?? DBNull.Value);
        while (reader.Read()) yield return AuditRowFrom(reader);
    }

    public AuditRow? AuditRowAt(long seq)
    {
        using var reader = Query("SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log WHERE seq = $p0", seq);
        if (!reader.Read()) return null;
        new SqliteRow(reader, "audit_log").Expect(0, seq);
        return AuditRowFrom(reader);
    }

    private static AuditRow AuditRowFrom(SqliteDataReader reader)
    {
        var row = new SqliteRow(reader, "audit_log");
        return new(row.Long(0), row.Time(1), row.Text(2), row.Blob(3), row.Blob(4), row.OptionalBlob(5), row.OptionalId(6));
    }

    public IEnumerable<AuditRow> AuditRowsFor(Guid target, string action)
    {
        using var reader = Query("SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log WHERE target = $p0 AND action = $p1 ORDER BY seq DESC",
            target.ToByteArray(), action);
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "audit_log");
            row.Expect(6, target);
            row.Expect(2, action);
            yield return AuditRowFrom(reader);
        }
    }

    public IEnumerable<AuditRow> AuditRowsOf(string action)
    {
        using var reader = Query("SELECT seq, time_ms, action, record, hash, signature, target FROM audit_log WHERE action = $p0 ORDER BY seq DESC", action);
        while (reader.Read())
        {
            new SqliteRow(reader, "audit_log").Expect(2, action);
            yield return AuditRowFrom(reader);
        }
    }

    public long CountAuditRows() => Count("SELECT COUNT(*) FROM audit_log");

    private long Count(string sql)
    {
        using var reader = Query(sql);
        reader.Read();
        return new SqliteRow(reader, "count").Long(0);
    }

    public AuditBaseRecord? AuditBase()
    {
        using var reader = Query("SELECT seq, link, id FROM audit_base WHERE id = 1");
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "audit_base");
        row.Expect(2, 1L);
        return new AuditBaseRecord(row.Long(0), row.Blob(1));
    }

    public IReadOnlyList<AuditSignerRecord> AuditSigners()
    {
        var result = new List<AuditSignerRecord>();
        using var reader = Query("SELECT signer_id, principal_id, public_key, valid_from_seq, valid_until_seq, signer_mac FROM audit_signers ORDER BY signer_id");
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "audit_signers");
            result.Add(new AuditSignerRecord(row.Long(0, 1), row.Id(1), row.Blob(2), row.Long(3), row.OptionalLong(4), row.Blob(5)));
        }
        return result;
    }

    public AuditPolicyRecord? AuditPolicy()
    {
        using var reader = Query("SELECT retention_days, forwarding, updated_ms, id FROM audit_policy WHERE id = 1");
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "audit_policy");
        row.Expect(3, 1L);
        return new AuditPolicyRecord(row.Int(0), row.Text(1), row.Time(2));
    }

    public Identity.LockoutState Lockout(Guid principalId)
    {
        using var reader = Query("SELECT failures, lockouts, locked_until_ms, principal_id FROM principal_lockout WHERE principal_id = $p0", principalId.ToByteArray());
        if (!reader.Read()) return Identity.LockoutState.Clear;
        var row = new SqliteRow(reader, "principal_lockout");
        try
        {
            row.Expect(3, principalId);
            return new Identity.LockoutState(row.Int(0), row.Int(1), row.Long(2, 0, SqliteRow.MaxTimeMs));
        }
        catch (VaultIntegrityException e)
        {
            // Say the way forward: clearing the lockout rewrites the row without reading it. The CLI
            // has no command for it, so the message names the cmdlet as PowerShell's, for either front end.
            throw new VaultIntegrityException("a principal's lockout state is damaged; an Admin can clear it in PowerShell with Unlock-VaultPrincipal (the securevault CLI has no command for it)", e);
        }
    }

    public IReadOnlyList<Guid> KeyHolders(Guid secretId) =>
        Guids("SELECT principal_id, secret_id FROM secret_keys WHERE secret_id = $p0", "secret_keys", secretId);

    public IReadOnlyList<Guid> SecretsWrappedTo(Guid principalId) =>
        Guids("SELECT secret_id, principal_id FROM secret_keys WHERE principal_id = $p0", "secret_keys", principalId);

    /// <summary>The ids in column 0 of the rows whose column 1 is <paramref name="asked"/>.</summary>
    private List<Guid> Guids(string sql, string table, Guid asked)
    {
        var result = new List<Guid>();
        using var reader = Query(sql, asked.ToByteArray());
        while (reader.Read())
        {
            var row = new SqliteRow(reader, table);
            row.Expect(1, asked);
            result.Add(row.Id(0));
        }
        return result;
    }

    public SecretRecord? FindSecret(Guid secretId)
    {
        using var reader = Query("SELECT secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag FROM secrets WHERE secret_id = $p0", secretId.ToByteArray());
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "secrets");
        row.Expect(0, secretId);
        return SecretAt(row, 0);
    }

    public IReadOnlyList<VersionRecord> Versions(Guid secretId)
    {
        var result = new List<VersionRecord>();
        using var reader = Query("SELECT version, value_type, nonce, cipher, tag, created_ms, secret_id FROM secret_versions WHERE secret_id = $p0 ORDER BY version", secretId.ToByteArray());
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "secret_versions");
            row.Expect(6, secretId);
            result.Add(new VersionRecord(secretId, row.Int(0, 1), row.Int(1), row.Box(2), row.Time(5)));
        }
        return result;
    }

    public GrantRecord? FindGrant(Guid secretId, Guid principalId)
    {
        var found = QueryGrants("WHERE secret_id = $p0 AND principal_id = $p1", secretId, principalId);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new VaultIntegrityException("a grant lookup found more than one row: an index is damaged"),
        };
    }

    public IReadOnlyList<GrantRecord> Grants(Guid? secretId = null, Guid? principalId = null) =>
        QueryGrants("WHERE secret_id = COALESCE($p0, secret_id) AND principal_id = COALESCE($p1, principal_id)", secretId, principalId);

    private List<GrantRecord> QueryGrants(string where, Guid? secretId, Guid? principalId)
    {
        var result = new List<GrantRecord>();
        using var reader = Query("SELECT secret_id, principal_id, permissions, expires_ms, created_ms, granted_by, grant_mac FROM grants " + where,
            (object?)secretId?.ToByteArray() ?? DBNull.Value, (object?)principalId?.ToByteArray() ?? DBNull.Value);
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "grants");
            if (secretId is { } s) row.Expect(0, s);
            if (principalId is { } p) row.Expect(1, p);
            result.Add(new GrantRecord(row.Id(0), row.Id(1), row.Int(2), row.OptionalTime(3), row.Time(4), row.Id(5), row.Blob(6)));
        }
        return result;
    }

    public MfaRecord? Mfa(Guid principalId)
    {
        using var reader = Query("SELECT nonce, sealed, tag, confirmed, last_step, updated_ms, principal_id FROM principal_mfa WHERE principal_id = $p0", principalId.ToByteArray());
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "principal_mfa");
        row.Expect(6, principalId);
        return new MfaRecord(principalId, row.Box(0), row.Flag(3), row.Long(4, -1), row.Time(5)); // -1: no step accepted yet
    }

    public LockoutPolicyRecord? LockoutPolicy()
    {
        using var reader = Query("SELECT max_failures, lock_seconds, max_lock_seconds, updated_ms, id FROM lockout_policy WHERE id = 1");
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "lockout_policy");
        row.Expect(4, 1L);
        return new LockoutPolicyRecord(row.Int(0), row.Long(1), row.Long(2), row.Time(3));
    }

    public IReadOnlyList<SealedSettingRecord> SealedSettings(int kind)
    {
        using var reader = Query("SELECT setting_id, kind, nonce, sealed, tag, updated_ms FROM sealed_settings WHERE kind = $p0 ORDER BY updated_ms, setting_id", kind);
        var result = new List<SealedSettingRecord>();
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "sealed_settings");
            row.Expect(1, kind);
            result.Add(SettingAt(row));
        }
        return result;
    }

    public SealedSettingRecord? SealedSetting(Guid id)
    {
        using var reader = Query("SELECT setting_id, kind, nonce, sealed, tag, updated_ms FROM sealed_settings WHERE setting_id = $p0", id.ToByteArray());
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "sealed_settings");
        row.Expect(0, id);
        return SettingAt(row);
    }

    private static SealedSettingRecord SettingAt(SqliteRow row) => new(row.Id(0), row.Int(1), row.Box(2), row.Time(5));

    public IReadOnlyList<MetadataKeyLinkRecord> MetadataKeyLinks()
    {
        using var reader = Query("SELECT generation, nonce, sealed, tag, created_ms FROM metadata_key_links ORDER BY generation");
        var result = new List<MetadataKeyLinkRecord>();
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "metadata_key_links");
            result.Add(new MetadataKeyLinkRecord(row.Int(0, 1), row.Box(1), row.Time(4)));
        }
        return result;
    }

    public RekeyProgressRecord? RekeyProgress()
    {
        using var reader = Query("SELECT started_ms, started_by, cursor, done, id FROM rekey_progress WHERE id = 1");
        if (!reader.Read()) return null;
        var row = new SqliteRow(reader, "rekey_progress");
        row.Expect(4, 1L);
        return new RekeyProgressRecord(row.Time(0), row.Id(1), row.OptionalId(2), row.Int(3));
    }

    public IReadOnlyList<Guid> SecretIdsAfter(Guid? after, int limit)
    {
        using var reader = after is { } cursor
            ? Query("SELECT secret_id FROM secrets WHERE secret_id > $p0 ORDER BY secret_id LIMIT $p1", cursor.ToByteArray(), limit)
            : Query("SELECT secret_id FROM secrets ORDER BY secret_id LIMIT $p0", limit);
        var result = new List<Guid>();
        byte[]? previous = after?.ToByteArray();
        while (reader.Read())
        {
            var row = new SqliteRow(reader, "secrets");
            var id = row.Id(0);
            var bytes = id.ToByteArray();
            // The walk must move forward (SQLite orders blobs by their bytes): a damaged index must not loop a rekey.
            if (previous != null && bytes.AsSpan().SequenceCompareTo(previous) <= 0)
                throw new VaultIntegrityException("the keys' index returned keys out of order: it is damaged");
            previous = bytes;
            result.Add(id);
        }
        return result;
    }

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

    private static SecretRecord SecretAt(SqliteRow row, int first) =>
        new(row.Id(first), row.Blob(first + 1), row.Int(first + 2, 1), row.Box(first + 3));

    #endregion

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        Connection.Dispose();
    }
}
