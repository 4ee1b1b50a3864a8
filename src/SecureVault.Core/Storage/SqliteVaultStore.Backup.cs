using Microsoft.Data.Sqlite;

namespace SecureVault.Storage;

/// <summary>
/// Backups of the SQLite store: a copy is taken with SQLite's online backup API (a consistent
/// snapshot while other connections and processes go on writing), converted to rollback mode so
/// it is one self-contained file, and given a <c>backup_head</c> table holding the signed audit
/// anchor it must contain. A restore works on a private copy beside the vault and renames it over
/// the vault only when it is complete.
/// </summary>
public sealed partial class SqliteVaultStore
{
    /// <summary>The one table a backup has beyond the vault's schema (removed again by a restore).</summary>
    internal const string BackupHeadTable = "backup_head";

    public void BackupTo(string path, byte[] head) => Execute(connection =>
    {
        VaultFiles.CreatePrivate(path);
        bool complete = false;
        try
        {
            using (var copy = OpenFile(path, SqliteOpenMode.ReadWrite))
            {
                connection.Connection.BackupDatabase(copy); // every page in one step, under one read snapshot
                Pragmas(copy, "PRAGMA journal_mode = DELETE;");
                using var command = copy.CreateCommand();
                command.CommandText = $"CREATE TABLE {BackupHeadTable} (id INTEGER PRIMARY KEY CHECK (id = 1), anchor BLOB NOT NULL); INSERT INTO {BackupHeadTable} (id, anchor) VALUES (1, $head);";
                command.Parameters.AddWithValue("$head", head);
                command.ExecuteNonQuery();
            }
            complete = true;
        }
        catch (SqliteException e)
        {
            // Most failures here are the copy's (a full disk where it goes): name the copy, not the vault.
            throw SqliteErrors.Map(e, path);
        }
        finally
        {
            if (!complete) VaultFiles.DeleteWithJournals(path);
        }
        return 0;
    });

    public IVaultBackupFile OpenBackup(string path)
    {
        RequireBackupFile(path);
        return OpenBackup(path, path);
    }

    private static void RequireBackupFile(string path)
    {
        if (Directory.Exists(path)) throw VaultFiles.IsFolder(path);
        if (!File.Exists(path)) throw new VaultInvalidInputException($"The backup file '{path}' does not exist. Give a file that Backup-Vault (or 'securevault backup') wrote.");
    }

    /// <summary>Opens <paramref name="file"/> read-only as a backup; errors name <paramref name="shownAs"/> (the backup a private copy was taken of).</summary>
    private static SqliteBackupFile OpenBackup(string file, string shownAs)
    {
        // A live vault (WAL mode) is not a backup: reading it without its -wal could miss commits.
        if (VaultFiles.IsWalModeDatabase(file))
            throw new VaultInvalidInputException($"'{shownAs}' is a live vault file, not a backup. Make a backup of it with Backup-Vault (or 'securevault backup') and restore that.");
        try
        {
            var sqlite = OpenFile(file, SqliteOpenMode.ReadOnly);
            try
            {
                SchemaVersion(sqlite, shownAs);
                return new SqliteBackupFile(sqlite, shownAs);
            }
            catch
            {
                sqlite.Dispose();
                throw;
            }
        }
        catch (SqliteException e)
        {
            throw SqliteErrors.Map(e, shownAs);
        }
    }

    public IVaultStore StageRestore<T>(string backupPath, Func<IVaultBackupFile, T> check, out T checkedResult)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        RequireBackupFile(backupPath);
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory)) PrivateFile.CreateFolder(directory);
        var staging = VaultFiles.CreateStaging(_path);
        bool complete = false;
        try
        {
            using (var source = new FileStream(backupPath, FileMode.Open, FileAccess.Read, FileShare.Read))
            using (var target = new FileStream(staging, FileMode.Open, FileAccess.Write))
            {
                source.CopyTo(target);
                target.Flush(flushToDisk: true);
            }
            // Every check runs on this private copy, not on the backup file, which could change
            // between a check and a second read of it: what is checked is what is installed.
            using (var copy = OpenBackup(staging, backupPath)) checkedResult = check(copy);
            var store = new SqliteVaultStore(staging);
            try
            {
                // The working copy drops the backup's own table; Rent switches it to WAL like any vault.
                store.Execute(connection =>
                {
                    Pragmas(connection.Connection, $"DROP TABLE IF EXISTS {BackupHeadTable};");
                    return 0;
                });
            }
            catch
            {
                store.Dispose();
                throw;
            }
            complete = true;
            return store;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultStorageException($"cannot copy the backup '{backupPath}' beside '{_path}': {e.Message}", e);
        }
        finally
        {
            if (!complete) VaultFiles.DeleteWithJournals(staging);
        }
    }

    public void ReplaceWith(IVaultStore staged)
    {
        if (staged is not SqliteVaultStore copy || copy == this) throw new ArgumentException("not a copy staged by StageRestore", nameof(staged));
        // The copy becomes one file: a full checkpoint, then its only connections close (SQLite removes its -wal and -shm).
        copy.Execute(connection =>
        {
            Pragmas(connection.Connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            return 0;
        });
        copy.Dispose();
        ThrowIfStillOpen(copy._path, "the restored copy");
        ReleaseIdleConnections();
        if (File.Exists(_path))
        {
            try
            {
                using var old = OpenFile(_path, SqliteOpenMode.ReadWrite);
                Pragmas(old, "PRAGMA wal_checkpoint(TRUNCATE);");
            }
            catch (SqliteException)
            {
                // A damaged old vault may not checkpoint; what matters is checked next: nobody else may have it open.
            }
            // The last connection to close removes -wal and -shm; a -wal still there means another
            // connection (another process) has the old vault open, and would go on using it.
            ThrowIfStillOpen(_path, "the vault");
            try
            {
                File.Delete(_path + "-shm"); // one left behind by a process that crashed
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VaultStorageException($"cannot remove '{_path}-shm' before the restore: {e.Message}. Close every program using the vault and try again.", e);
            }
        }
        VaultFiles.Publish(copy._path, _path, replace: true);
    }

    private static void ThrowIfStillOpen(string path, string what)
    {
        if (File.Exists(path + "-wal"))
            throw new VaultStorageException($"{what} '{path}' is still open in another program: lock the vault there (Lock-Vault), or end that program, and restore again. Nothing was changed.");
    }
}

/// <summary>A backup file opened read-only.</summary>
internal sealed class SqliteBackupFile(SqliteConnection sqlite, string path) : IVaultBackupFile
{
    private readonly SqliteStoreConnection _records = new(sqlite);

    public IReadOnlyList<string> IntegrityProblems() => Run(() => SqliteStructureCheck.Problems(sqlite, null, SqliteStructureCheck.DefaultLimit));

    public byte[]? Head() => Run(() =>
    {
        using var command = sqlite.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{SqliteVaultStore.BackupHeadTable}';";
        if ((long)(command.ExecuteScalar() ?? 0L) != 1) return null;
        command.CommandText = $"SELECT anchor FROM {SqliteVaultStore.BackupHeadTable} WHERE id = 1;";
        return command.ExecuteScalar() as byte[];
    });

    public T Read<T>(Func<IVaultReader, T> work) => Run(() =>
    {
        using var transaction = sqlite.BeginTransaction(deferred: true);
        _records.Transaction = transaction;
        try
        {
            return work(_records);
        }
        finally
        {
            _records.Transaction = null;
        }
    });

    private T Run<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException e)
        {
            throw SqliteErrors.Map(e, path);
        }
    }

    public void Dispose() => _records.Dispose(); // closes the connection with its statements
}
