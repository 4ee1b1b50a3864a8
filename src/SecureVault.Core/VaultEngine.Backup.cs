using System.Security.Cryptography;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault;

/// <summary>
/// Backups and restores of the whole vault. A backup is a consistent copy taken online, checked
/// before it is put in place, owner-only, holding the signed audit head it was taken at; a restore
/// proves a copy complete and sound before anything is replaced, and never puts an older copy over
/// a newer vault unless told to.
/// </summary>
public sealed partial class VaultEngine
{
    static VaultEngine()
    {
        // A process that ends with vaults open (a pwsh window closed while unlocked) checkpoints and
        // closes them, so each is one file again, which a plain copy can take; so does a vault whose
        // session timed out.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var store in SharedStores.Values) store.ReleaseIdleConnections();
        };
        SessionRegistry.Expired += path =>
        {
            if (SharedStores.TryGetValue(path, out var store)) store.ReleaseIdleConnections();
        };
    }

    /// <summary>
    /// Writes a backup of this vault to <paramref name="path"/>: a consistent copy taken while
    /// others may go on writing, created owner-only, checked (SQLite integrity, the audit chain,
    /// the signed head) before it is put at its name. The backup record is written first and is
    /// the copy's signed head; a copy that then fails is recorded as failed. Needs the backup
    /// permission. An existing file is replaced only with <paramref name="overwrite"/>.
    /// </summary>
    public VaultBackupInfo Backup(string path, bool overwrite = false) => WithSession(session =>
    {
        var target = CheckBackupTarget(path, overwrite);
        long seq = AuditedWrite(session, AuditAction.Backup, (w, facts) =>
        {
            Require(w, session, Permissions.Backup);
            facts.Detail = $"to '{target}'";
            return AuditTrail.Next(w, session.VaultId).Seq;
        });
        var head = AnchorOf(session, seq, "backup");
        var staging = VaultFiles.StagingName(target);
        try
        {
            _store.BackupTo(staging, head.ToJson());
            using (var copy = _store.OpenBackup(staging))
            {
                CheckBackupFile(copy, staging, head.VaultId);
                var chain = copy.Read(r => AuditVerifier.Verify(r, session.Keys, session.VaultId, staging, head, null, default));
                if (!chain.IsValid) throw new VaultIntegrityException($"the copy's audit chain does not verify ({chain.Reason} at record {chain.FirstBadSeq}); no backup was written");
            }
            VaultFiles.Publish(staging, target, replace: overwrite);
            staging = null;
        }
        catch (VaultException e)
        {
            // The backup record has committed: a second one says that this copy failed.
            AuditRefusal(session, new AuditFacts(AuditAction.Backup) { Detail = $"to '{target}' failed" }, e);
            throw;
        }
        finally
        {
            if (staging != null) VaultFiles.DeleteWithJournals(staging);
        }
        return new VaultBackupInfo
        {
            Path = target,
            Vault = Vault,
            VaultId = head.VaultId,
            HeadSeq = head.Seq,
            HeadHash = head.HashHex,
            Time = head.Time,
            Length = new FileInfo(target).Length,
        };
    });

    /// <summary>
    /// Replaces this vault with the backup at <paramref name="backupPath"/>, or creates it from the
    /// backup when no vault is here yet. The backup is first copied to a private file beside the
    /// vault, and that copy (what is installed) is checked before anything is replaced: SQLite
    /// integrity, the signed head it was written with and that its chain holds that record, then
    /// (unlocked with <paramref name="password"/> as <paramref name="principal"/>, who needs the
    /// restore permission in the copy) the whole audit chain. A copy older than the vault here, or
    /// one whose chain has gone another way, is refused unless <paramref name="force"/>. The copy
    /// gets a record of who restored it from which head, and is renamed over the vault in one step;
    /// this process's session and connections on the old vault are closed.
    /// </summary>
    public VaultRestoreInfo RestoreBackup(string backupPath, ReadOnlySpan<byte> password, string? principal = null, string? totp = null, bool force = false)
    {
        var source = Path.GetFullPath(backupPath);
        if (PathsEqual(source, Vault)) throw new VaultInvalidInputException($"'{source}' is this vault itself. Give the path of a backup file.");
        if (Directory.Exists(Vault)) throw VaultFiles.IsFolder(Vault);
        // Checked on the private copy that is installed, never on the backup file itself.
        var staged = _store.StageRestore(source, copy =>
        {
            var anchor = CheckBackupFile(copy, source, null);
            return (anchor, CheckNotNewerThan(copy, anchor, source, force));
        }, out var checks);
        var (head, replacedSeq) = checks;
        var stagedEngine = new VaultEngine(staged, _clock);
        bool published = false;
        try
        {
            var unlocked = stagedEngine.Unlock(password, principal, totp: totp);
            var restoreRow = stagedEngine.RecordRestore(source, head, replacedSeq);
            SessionRegistry.Close(staged.Location);
            SessionRegistry.Close(Vault); // the session on the old vault must not go on against the new file
            _store.ReplaceWith(staged);
            published = true;
            _ = AuditHeadMemory.Remember(head.VaultId, restoreRow.Seq, restoreRow.Hash, force: true); // the vault went back on purpose
            return new VaultRestoreInfo
            {
                Vault = Vault,
                Backup = source,
                VaultId = head.VaultId,
                HeadSeq = head.Seq,
                HeadHash = head.HashHex,
                ReplacedHeadSeq = replacedSeq,
                Warnings = unlocked.Warnings.Where(w => !w.Contains("has gone backwards", StringComparison.Ordinal)).ToList(),
            };
        }
        finally
        {
            SessionRegistry.Close(staged.Location);
            if (!published)
            {
                staged.Dispose();
                VaultFiles.DeleteWithJournals(staged.Location);
            }
        }
    }

    /// <summary>In the unlocked working copy of a restore: checks the whole chain and appends the restore record.</summary>
    private AuditRow RecordRestore(string source, AuditAnchor head, long? replacedSeq) => WithSession(session =>
    {
        var chain = _store.Read(r =>
        {
            Require(r, session, Permissions.Restore);
            return AuditVerifier.Verify(r, session.Keys, session.VaultId, source, head, null, default);
        });
        if (!chain.IsValid)
            throw new VaultIntegrityException($"the audit chain of the backup '{source}' does not verify ({chain.Reason} at record {chain.FirstBadSeq}); nothing was restored. Use another backup.");
        long seq = AuditedWrite(session, AuditAction.VaultRestore, (w, facts) =>
        {
            Require(w, session, Permissions.Restore);
            facts.Detail = $"from the backup '{source}' (head record {head.Seq}, {head.HashHex})"
                + (replacedSeq is { } old ? $", replacing a vault whose chain reached record {old}" : ", where there was no vault");
            return AuditTrail.Next(w, session.VaultId).Seq;
        });
        return _store.Read(r => r.AuditRowAt(seq)) ?? throw new VaultIntegrityException($"the restore record {seq} just written is missing");
    });

    /// <summary>
    /// Checks a backup file without keys: SQLite's integrity check, a well-formed head whose
    /// signature verifies, of this vault (when <paramref name="vaultId"/> is given), and a chain
    /// that holds the very record the head names. Returns the head.
    /// </summary>
    private static AuditAnchor CheckBackupFile(IVaultBackupFile backup, string path, Guid? vaultId)
    {
        var problems = backup.IntegrityProblems();
        if (problems.Count > 0)
            throw new VaultIntegrityException($"the backup '{path}' is damaged (SQLite: {problems[0]}); nothing was restored. Use another backup.");
        var bytes = backup.Head()
            ?? throw new VaultIntegrityException($"'{path}' holds no backup head: it was not written by Backup-Vault ('securevault backup'), or it was altered. Use another backup.");
        var head = AuditAnchor.Parse(bytes);
        if (head is null || head.Seq < 1 || !head.IsSigned())
            throw new VaultIntegrityException($"the head of the backup '{path}' is damaged or forged (its signature does not verify). Use another backup.");
        var (header, row) = backup.Read(r => (r.ReadHeader(), r.AuditRowAt(head.Seq)));
        if (header.VaultId != head.VaultId || (vaultId is { } expected && expected != head.VaultId))
            throw new VaultIntegrityException($"the head of the backup '{path}' belongs to another vault. Use another backup.");
        if (row is null || row.Signature is null || !CryptographicOperations.FixedTimeEquals(row.Hash, head.Hash)
            || !CryptographicOperations.FixedTimeEquals(row.Signature, head.Signature))
            throw new VaultIntegrityException($"the backup '{path}' does not hold audit record {head.Seq}, which its head names: it is incomplete or altered. Use another backup.");
        return head;
    }

    /// <summary>
    /// Refuses (unless <paramref name="force"/>) to put the backup over a vault that is newer: the
    /// vault's newest record must be in the backup's chain, with the same hash. Returns the
    /// replaced vault's newest sequence number, or null when there is no vault here.
    /// </summary>
    private long? CheckNotNewerThan(IVaultBackupFile backup, AuditAnchor head, string source, bool force)
    {
        if (!_store.Exists()) return null;
        const string Override = "Add -Force (securevault restore-backup: --force) to replace it anyway.";
        Guid vaultId;
        AuditRow? newest;
        try
        {
            (vaultId, newest) = _store.Read(r => (r.ReadHeader().VaultId, r.LastAuditRow()));
        }
        catch (VaultException e) when (force && e is VaultIntegrityException or VaultStorageException)
        {
            return null; // a damaged vault is what a forced restore is for
        }
        catch (VaultException e) when (e is VaultIntegrityException)
        {
            throw new VaultInvalidInputException($"the vault '{Vault}' cannot be read to compare it with the backup ({e.Message}). {Override}");
        }
        if (force) return newest?.Seq;
        if (vaultId != head.VaultId)
            throw new VaultInvalidInputException($"the backup '{source}' is of another vault than '{Vault}'. {Override}");
        if (newest is null) return null;
        var same = backup.Read(r => r.AuditRowAt(newest.Seq));
        if (same is null)
            throw new VaultInvalidInputException($"the vault '{Vault}' is newer than the backup: its audit chain reaches record {newest.Seq}, past the backup's. Restoring would lose what happened since. {Override}");
        if (!CryptographicOperations.FixedTimeEquals(same.Hash, newest.Hash))
            throw new VaultInvalidInputException($"the vault '{Vault}' and the backup have gone different ways since record {newest.Seq}. Restoring would lose what happened in the vault. {Override}");
        return newest.Seq;
    }

    /// <summary>The full path of a backup target, refused when it is this vault, a folder, or an existing file without <paramref name="overwrite"/>.</summary>
    private string CheckBackupTarget(string path, bool overwrite)
    {
        var target = Path.GetFullPath(path);
        if (PathsEqual(target, Vault) || PathsEqual(target, Vault + "-wal") || PathsEqual(target, Vault + "-shm"))
            throw new VaultInvalidInputException($"'{target}' is the vault itself. Give the backup another path.");
        if (Directory.Exists(target)) throw VaultFiles.IsFolder(target);
        if (!overwrite && File.Exists(target))
            throw new VaultInvalidInputException($"'{target}' already exists. Choose another -Path, or add -Force to replace it (securevault backup: --force).");
        var folder = Path.GetDirectoryName(target);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder)) PrivateFile.CreateFolder(folder);
        return target;
    }

    private static bool PathsEqual(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}

/// <summary>A backup that was written (Backup-Vault).</summary>
public sealed class VaultBackupInfo
{
    /// <summary>The backup file.</summary>
    public required string Path { get; init; }
    /// <summary>The vault it is a copy of.</summary>
    public required string Vault { get; init; }
    public required Guid VaultId { get; init; }
    /// <summary>The signed audit record the backup holds as its head (the backup record).</summary>
    public required long HeadSeq { get; init; }
    /// <summary>That record's chain hash, as hex.</summary>
    public required string HeadHash { get; init; }
    /// <summary>When the backup was taken (UTC).</summary>
    public required DateTime Time { get; init; }
    /// <summary>The size of the backup file in bytes.</summary>
    public required long Length { get; init; }
}

/// <summary>A restore that was done (Restore-Vault).</summary>
public sealed class VaultRestoreInfo
{
    /// <summary>The vault that now holds the backup.</summary>
    public required string Vault { get; init; }
    /// <summary>The backup file it was restored from.</summary>
    public required string Backup { get; init; }
    public required Guid VaultId { get; init; }
    /// <summary>The signed head of the backup.</summary>
    public required long HeadSeq { get; init; }
    public required string HeadHash { get; init; }
    /// <summary>The newest record of the vault that was replaced; null when there was none.</summary>
    public long? ReplacedHeadSeq { get; init; }
    /// <summary>What the unlock of the copy warned about.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
