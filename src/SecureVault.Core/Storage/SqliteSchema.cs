namespace SecureVault.Storage;

/// <summary>
/// The SQLite schema of file format v1. PRAGMA user_version holds the schema version so later
/// versions can migrate forward. Ids are 16-byte GUID blobs; every encrypted item keeps nonce,
/// ciphertext and tag in separate columns so each is length-checked on read.
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 4;

    /// <summary>The whole current schema, for a new vault.</summary>
    public const string Create = Version1 + AuditTables + AccessTables + RotationTables;

    /// <summary>What moves a vault from version N to N + 1, by N. Each step runs in one transaction.</summary>
    public static readonly IReadOnlyDictionary<int, string> Migrations = new Dictionary<int, string>
    {
        [1] = AuditTables,
        [2] = AccessTables,
        [3] = RotationTables,
    };

    private const string Version1 = """
        CREATE TABLE vault_header (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            magic TEXT NOT NULL,
            format_version INTEGER NOT NULL,
            vault_id BLOB NOT NULL,
            created_ms INTEGER NOT NULL,
            header_mac BLOB NOT NULL);
        CREATE TABLE principals (
            principal_id BLOB PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            role INTEGER NOT NULL,
            ecdh_public BLOB NOT NULL,
            ecdsa_public BLOB NOT NULL,
            created_ms INTEGER NOT NULL,
            mk_sender INTEGER NOT NULL,
            mk_nonce BLOB NOT NULL,
            mk_cipher BLOB NOT NULL,
            mk_tag BLOB NOT NULL,
            principal_mac BLOB NOT NULL);
        CREATE TABLE keyslots (
            keyslot_id BLOB PRIMARY KEY,
            principal_id BLOB NOT NULL REFERENCES principals(principal_id),
            kind INTEGER NOT NULL,
            kdf BLOB NOT NULL,
            verifier BLOB NOT NULL,
            nonce BLOB NOT NULL,
            sealed BLOB NOT NULL,
            tag BLOB NOT NULL,
            updated_ms INTEGER NOT NULL);
        CREATE INDEX keyslots_by_principal ON keyslots(principal_id);
        CREATE TABLE sender_keys (
            sender_id INTEGER PRIMARY KEY AUTOINCREMENT,
            principal_id BLOB NOT NULL,
            public_key BLOB NOT NULL,
            created_ms INTEGER NOT NULL);
        CREATE TABLE secrets (
            secret_id BLOB PRIMARY KEY,
            name_index BLOB NOT NULL UNIQUE,
            current_version INTEGER NOT NULL,
            meta_nonce BLOB NOT NULL,
            meta_cipher BLOB NOT NULL,
            meta_tag BLOB NOT NULL);
        CREATE TABLE secret_keys (
            secret_id BLOB NOT NULL REFERENCES secrets(secret_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            principal_id BLOB NOT NULL,
            sender_id INTEGER NOT NULL,
            nonce BLOB NOT NULL,
            cipher BLOB NOT NULL,
            tag BLOB NOT NULL,
            PRIMARY KEY (secret_id, principal_id)) WITHOUT ROWID;
        CREATE TABLE secret_versions (
            secret_id BLOB NOT NULL REFERENCES secrets(secret_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            version INTEGER NOT NULL,
            value_type INTEGER NOT NULL,
            nonce BLOB NOT NULL,
            cipher BLOB NOT NULL,
            tag BLOB NOT NULL,
            created_ms INTEGER NOT NULL,
            PRIMARY KEY (secret_id, version));
        """;

    // Version 2: the audit trail. Records are canonical JSON, hash-chained and signed; time_ms,
    // action and target repeat members of the record so queries can use an index (the record is
    // authoritative, and verification checks that the copies agree with it).
    // audit_signers keeps every principal's signing public key with the range of records it may sign;
    // audit_base holds the chain link behind the oldest kept record after pruning. principal_lockout
    // counts failed authentications per principal, so every process sees the same count.
    private const string AuditTables = """
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            time_ms INTEGER NOT NULL,
            action TEXT NOT NULL,
            record BLOB NOT NULL,
            hash BLOB NOT NULL,
            signature BLOB,
            target BLOB);
        CREATE INDEX audit_by_time ON audit_log(time_ms);
        CREATE INDEX audit_by_target ON audit_log(target, action, seq) WHERE target IS NOT NULL;
        CREATE INDEX audit_by_action ON audit_log(action, seq);
        CREATE TABLE audit_signers (
            signer_id INTEGER PRIMARY KEY AUTOINCREMENT,
            principal_id BLOB NOT NULL,
            public_key BLOB NOT NULL,
            valid_from_seq INTEGER NOT NULL,
            valid_until_seq INTEGER,
            signer_mac BLOB NOT NULL);
        CREATE TABLE audit_base (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            link BLOB NOT NULL);
        CREATE TABLE audit_policy (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            retention_days INTEGER NOT NULL,
            forwarding TEXT NOT NULL,
            updated_ms INTEGER NOT NULL);
        CREATE TABLE principal_lockout (
            principal_id BLOB PRIMARY KEY,
            failures INTEGER NOT NULL,
            lockouts INTEGER NOT NULL,
            locked_until_ms INTEGER NOT NULL);
        """;

    // Version 3: access control. A principal can be disabled (covered by its MAC when set). A grant
    // gives one principal named permissions on one key until an optional expiry, MAC'd like a
    // principal row. principal_mfa holds a principal's TOTP secret sealed under a key only its own
    // credentials open, and the last accepted time step (each step is accepted once).
    // lockout_policy overrides the default lockout policy.
    private const string AccessTables = """
        ALTER TABLE principals ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE grants (
            secret_id BLOB NOT NULL REFERENCES secrets(secret_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            principal_id BLOB NOT NULL,
            permissions INTEGER NOT NULL,
            expires_ms INTEGER,
            created_ms INTEGER NOT NULL,
            granted_by BLOB NOT NULL,
            grant_mac BLOB NOT NULL,
            PRIMARY KEY (secret_id, principal_id)) WITHOUT ROWID;
        CREATE INDEX grants_by_principal ON grants(principal_id);
        CREATE TABLE principal_mfa (
            principal_id BLOB PRIMARY KEY,
            nonce BLOB NOT NULL,
            sealed BLOB NOT NULL,
            tag BLOB NOT NULL,
            confirmed INTEGER NOT NULL,
            last_step INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL);
        CREATE TABLE lockout_policy (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            max_failures INTEGER NOT NULL,
            lock_seconds INTEGER NOT NULL,
            max_lock_seconds INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL);
        """;

    // Version 4: rotation. sealed_settings holds vault settings that must stay confidential and
    // authentic (the default rotation policy, exemptions), each AES-GCM-sealed under the metadata
    // cipher key with AAD binding the vault, the kind and the setting id. metadata_key_links holds,
    // per rekey generation g, the previous metadata key sealed under the new one: whoever holds the
    // current key reaches the older ones (audit target names and keyslot commitments made before a
    // rekey), and nobody who holds only an old key learns a newer one. rekey_progress is the
    // cursor of a rekey under way, so an interrupted rekey resumes where it stopped.
    private const string RotationTables = """
        CREATE TABLE sealed_settings (
            setting_id BLOB PRIMARY KEY,
            kind INTEGER NOT NULL,
            nonce BLOB NOT NULL,
            sealed BLOB NOT NULL,
            tag BLOB NOT NULL,
            updated_ms INTEGER NOT NULL);
        CREATE INDEX sealed_settings_by_kind ON sealed_settings(kind);
        CREATE TABLE metadata_key_links (
            generation INTEGER PRIMARY KEY,
            nonce BLOB NOT NULL,
            sealed BLOB NOT NULL,
            tag BLOB NOT NULL,
            created_ms INTEGER NOT NULL);
        CREATE TABLE rekey_progress (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            started_ms INTEGER NOT NULL,
            started_by BLOB NOT NULL,
            cursor BLOB,
            done INTEGER NOT NULL);
        """;
}
