using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SecureVault.Crypto;

namespace SecureVault.Storage;

/// <summary>
/// The embedded default store: one SQLite file per vault, WAL journal, synchronous=FULL (a
/// committed write survives power loss), secure_delete (freed pages are zeroed, so removed
/// ciphertext and superseded keyslots do not linger), a 30 s busy timeout, foreign keys on. The file is
/// created with mode 0600 on Unix, and so are its -wal and -shm files, whatever the vault file's
/// mode is now (SQLite would copy it: a vault opened while 0400 would be left with read-only
/// journals). A file is checked to be a vault, read-only, before anything is set on it.
/// Writers take the write lock at BEGIN (BEGIN IMMEDIATE), so concurrent read-modify-write
/// transactions from threads or processes serialize instead of failing or losing updates.
/// </summary>
public sealed partial class SqliteVaultStore : IVaultStore
{
    private const int BusyTimeoutMs = 30_000;
    private const int MaxIdleConnections = 8;
    private readonly string _path;
    private readonly ConcurrentBag<SqliteStoreConnection> _idle = new();
    private int _disposed;

    /// <summary>A store over the SQLite file at <paramref name="path"/> (full path).</summary>
    public SqliteVaultStore(string path)
    {
        _path = path;
    }

    public string Kind => "SQLite";

    public string Location => _path;

    public bool Exists()
    {
        var file = new FileInfo(_path);
        if (file.Exists) return file.Length > 0;
        if (Directory.Exists(_path)) throw VaultFiles.IsFolder(_path);
        return false;
    }

    /// <summary>
    /// Builds the new vault in a private file beside its final name (schema and
    /// <paramref name="firstWrite"/> in one transaction), and renames it into place only once that
    /// committed: a create that fails (a full disk) leaves nothing behind and the name stays free.
    /// </summary>
    public T Initialize<T>(Func<IVaultWriter, T> firstWrite)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Exists()) throw new VaultAlreadyExistsException(_path);
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory)) PrivateFile.CreateFolder(directory);
        var staging = VaultFiles.CreateStaging(_path);
        try
        {
            T result;
            using (var connection = new SqliteStoreConnection(OpenFile(staging, SqliteOpenMode.ReadWrite)))
            {
                // Built in rollback mode, so the whole vault is in the one file that is renamed;
                // switched to WAL when complete (closing the only connection removes the -wal again).
                Pragmas(connection.Connection, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;");
                using (var transaction = connection.Connection.BeginTransaction(deferred: false))
                {
                    connection.Transaction = transaction;
                    Pragmas(connection.Connection, SqliteSchema.Create + $"PRAGMA user_version = {SqliteSchema.Version};", transaction);
                    result = firstWrite(connection);
                    transaction.Commit();
                    connection.Transaction = null;
                }
                Pragmas(connection.Connection, "PRAGMA journal_mode = WAL;");
            }
            VaultFiles.Publish(staging, _path, replace: false);
            staging = null;
            return result;
        }
        catch (SqliteException e)
        {
            throw SqliteErrors.Map(e, _path);
        }
        finally
        {
            if (staging != null) VaultFiles.DeleteWithJournals(staging);
        }
    }

    public T Read<T>(Func<IVaultReader, T> work) => InTransaction(deferred: true, work);

    public T Write<T>(Func<IVaultWriter, T> work) => InTransaction(deferred: false, work);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction. A writer takes the write lock at BEGIN
    /// (deferred: false is BEGIN IMMEDIATE) so two read-modify-write transactions never deadlock.
    /// </summary>
    private T InTransaction<T>(bool deferred, Func<SqliteStoreConnection, T> work) => Execute(connection =>
    {
        using var transaction = connection.Connection.BeginTransaction(deferred);
        connection.Transaction = transaction;
        try
        {
            var result = work(connection);
            transaction.Commit();
            return result;
        }
        finally
        {
            connection.Transaction = null;
        }
    });

    private T Execute<T>(Func<SqliteStoreConnection, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!Exists()) throw new VaultNotFoundException(_path);
        SqliteStoreConnection? connection = null;
        bool reusable = false;
        try
        {
            connection = Rent();
            var result = work(connection);
            reusable = true;
            return result;
        }
        catch (SqliteException e)
        {
            throw SqliteErrors.Map(e, _path);
        }
        finally
        {
            if (connection != null) Return(connection, reusable);
        }
    }

    private SqliteStoreConnection Rent()
    {
        if (_idle.TryTake(out var connection)) return connection;
        // Before anything touches the file (PrepareJournals creates journals, and closing a
        // read-write connection checkpoints a foreign -wal into its database and deletes it).
        RefuseIfNotAVault(_path);
        VaultFiles.PrepareJournals(_path);
        var sqlite = OpenFile(_path, SqliteOpenMode.ReadWrite);
        try
        {
            int version = SchemaVersion(sqlite); // again, now that the -wal is read too
            Pragmas(sqlite, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;");
            if (version < SqliteSchema.Version) MigrateForward(sqlite);
            return new SqliteStoreConnection(sqlite);
        }
        catch
        {
            sqlite.Dispose();
            throw;
        }
    }

    /// <summary>An open connection to a SQLite file, with the busy timeout set (which changes nothing in the file).</summary>
    internal static SqliteConnection OpenFile(string path, SqliteOpenMode mode)
    {
        var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false, // we keep our own connections, each with its prepared statements
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString());
        try
        {
            sqlite.Open();
            Pragmas(sqlite, $"PRAGMA busy_timeout = {BusyTimeoutMs};");
            return sqlite;
        }
        catch
        {
            sqlite.Dispose();
            throw;
        }
    }

    internal static void Pragmas(SqliteConnection sqlite, string sql, SqliteTransaction? transaction = null)
    {
        using var command = sqlite.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Decides that the file is a vault without changing it or anything beside it: opened
    /// read-only and immutable (SQLite then takes no lock and neither reads nor creates a -wal or
    /// -shm), it must have our schema number and the vault_header table, which a vault has in its
    /// main file from its creation (it is built in rollback mode and switched to WAL when complete).
    /// </summary>
    internal static void RefuseIfNotAVault(string path)
    {
        try
        {
            using var probe = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FileUri(path) + "?immutable=1", Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            probe.Open();
            SchemaVersion(probe, path);
        }
        catch (SqliteException) when (File.Exists(path + "-shm"))
        {
            // Without locks the probe can read pages another process is checkpointing into the file
            // (a torn read, reported as damage). A -shm says another connection has the file open:
            // the read-write connection then checks it under SQLite's locks, and closing ours does not
            // fold that program's -wal in (only the last connection checkpoints on close). Any other
            // SqliteException (no database, a damaged one) is mapped by the caller, as before.
        }
    }

    /// <summary>
    /// A SQLite URI for the file at the full <paramref name="path"/>: every byte of its UTF-8 but
    /// letters, digits and <c>-._~/:</c> percent-escaped, so a '?', '#' or '%' in a name stays part
    /// of the name (System.Uri leaves them as they are).
    /// </summary>
    internal static string FileUri(string path)
    {
        var uri = new System.Text.StringBuilder("file://");
        if (OperatingSystem.IsWindows()) path = "/" + path.Replace('\\', '/'); // C:\x is file:///C:/x
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(path))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || "-._~/:".Contains((char)b)) uri.Append((char)b);
            else uri.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return uri.ToString();
    }

    /// <summary>
    /// The vault schema version of the file, read without writing anything: a file whose
    /// user_version is not one of ours or that has no vault_header table is not a vault.
    /// </summary>
    private int SchemaVersion(SqliteConnection sqlite) => SchemaVersion(sqlite, _path);

    internal static int SchemaVersion(SqliteConnection sqlite, string path)
    {
        using var command = sqlite.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        long version = (long)(command.ExecuteScalar() ?? 0L);
        if (version > SqliteSchema.Version)
            throw new VaultStorageException($"the vault '{path}' uses schema version {version}, newer than this SecureVault understands ({SqliteSchema.Version}). Update SecureVault.");
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'vault_header';";
        bool hasHeader = (long)(command.ExecuteScalar() ?? 0L) == 1;
        if (version < 1 || !hasHeader) throw new VaultIntegrityException($"the file '{path}' is not a SecureVault vault (schema version {version}); it was left unchanged");
        return (int)version;
    }

    /// <summary>
    /// Moves an older vault to the current schema, one step per transaction. The write lock is
    /// taken first and the version read again under it, so two processes never migrate twice.
    /// </summary>
    private static void MigrateForward(SqliteConnection sqlite)
    {
        while (true)
        {
            using var transaction = sqlite.BeginTransaction(deferred: false);
            using var command = sqlite.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "PRAGMA user_version;";
            int version = checked((int)(long)(command.ExecuteScalar() ?? 0L));
            if (version >= SqliteSchema.Version) return;
            command.CommandText = SqliteSchema.Migrations[version] + $"PRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private void Return(SqliteStoreConnection connection, bool reusable)
    {
        if (reusable && _disposed == 0 && _idle.Count < MaxIdleConnections) _idle.Add(connection);
        else connection.Dispose();
    }

    public void Checkpoint() => Execute(connection =>
    {
        using var command = connection.Connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        return 0;
    });

    /// <summary>
    /// Moves what it can of the WAL into the vault file, then closes the idle connections. When
    /// they were the vault's last (no other process has it open), SQLite checkpoints fully and
    /// removes the -wal and -shm files: a locked vault is one file, which a plain copy can take.
    /// </summary>
    public void ReleaseIdleConnections()
    {
        if (_idle.TryTake(out var first))
        {
            try
            {
                Pragmas(first.Connection, "PRAGMA wal_checkpoint(PASSIVE);");
            }
            catch (SqliteException)
            {
                // Busy or read-only now: the WAL stays as it is (nothing is lost) and the next checkpoint moves it.
            }
            first.Dispose();
        }
        while (_idle.TryTake(out var connection)) connection.Dispose();
    }

    /// <summary>Closes every pooled connection (their prepared statements and file handles).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        ReleaseIdleConnections();
    }

    /// <summary>
    /// SQLite's integrity_check and foreign_key_check (<see cref="SqliteStructureCheck"/>), in one
    /// read transaction.
    /// </summary>
    public IReadOnlyList<string> SelfCheck() =>
        InTransaction(deferred: true, connection => SqliteStructureCheck.Problems(connection.Connection, connection.Transaction, SqliteStructureCheck.DefaultLimit));
}

/// <summary>Maps SQLite failures onto the engine's exception types.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5, Locked = 6, ReadOnly = 8, Corrupt = 11, Full = 13, CantOpen = 14, NotADatabase = 26;

    public static VaultException Map(SqliteException e, string path) => (e.SqliteErrorCode & 0xFF) switch
    {
        Busy or Locked => new VaultConcurrencyException(path, e),
        ReadOnly or CantOpen => new VaultStorageException(
            $"the vault '{path}' cannot be written (SQLite: {e.Message}). Every operation writes an audit record, reads too, so the vault file, "
            + $"'{path}-wal' and '{path}-shm' must be writable by you (mode 0600, your own files) and so must their folder; fix that and try again.", e),
        Full => new VaultStorageException($"the disk that holds '{path}' is full. Free some space and try again; nothing was changed.", e),
        Corrupt or NotADatabase => new VaultIntegrityException($"the vault file '{path}' is damaged or truncated", e),
        _ when e.Message.Contains("no such table", StringComparison.Ordinal) || e.Message.Contains("no such column", StringComparison.Ordinal)
            => new VaultIntegrityException($"the file '{path}' does not have the vault's structure", e),
        _ => new VaultStorageException($"SQLite error {e.SqliteErrorCode} on '{path}': {e.Message}", e),
    };
}
