using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SecureVault.Crypto;

namespace SecureVault.Storage;

/// <summary>
/// The embedded default store: one SQLite file per vault, WAL journal, synchronous=FULL (a
/// committed write survives power loss), secure_delete (freed pages are zeroed, so removed
/// ciphertext and superseded keyslots do not linger), a 30 s busy timeout, foreign keys on. The file is
/// created with mode 0600 on Unix (SQLite gives its -wal and -shm files the same mode).
/// Writers take the write lock at BEGIN (BEGIN IMMEDIATE), so concurrent read-modify-write
/// transactions from threads or processes serialize instead of failing or losing updates.
/// </summary>
public sealed class SqliteVaultStore : IVaultStore
{
    private const int BusyTimeoutMs = 30_000;
    private const int MaxIdleConnections = 8;
    private readonly string _path;
    private readonly string _connectionString;
    private readonly ConcurrentBag<SqliteStoreConnection> _idle = new();
    private int _disposed;

    /// <summary>A store over the SQLite file at <paramref name="path"/> (full path).</summary>
    public SqliteVaultStore(string path)
    {
        _path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false, // we keep our own connections, each with its prepared statements
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
    }

    public string Kind => "SQLite";

    public string Location => _path;

    public bool Exists()
    {
        var file = new FileInfo(_path);
        return file.Exists && file.Length > 0;
    }

    public void Initialize()
    {
        CreateFileWithOwnerOnlyMode();
        Execute(connection =>
        {
            using var transaction = connection.Connection.BeginTransaction(deferred: false);
            using (var command = connection.Connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = SqliteSchema.Create + $"PRAGMA user_version = {SqliteSchema.Version};";
                command.ExecuteNonQuery();
            }
            transaction.Commit();
            return 0;
        }, checkSchema: false);
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

    private T Execute<T>(Func<SqliteStoreConnection, T> work, bool checkSchema = true)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (checkSchema && !Exists()) throw new VaultNotFoundException(_path);
        SqliteStoreConnection? connection = null;
        bool reusable = false;
        try
        {
            connection = Rent(checkSchema);
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

    private SqliteStoreConnection Rent(bool checkSchema)
    {
        if (_idle.TryTake(out var connection)) return connection;
        var sqlite = new SqliteConnection(_connectionString);
        try
        {
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = $"PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA foreign_keys = ON;";
            command.ExecuteNonQuery();
            if (checkSchema) CheckSchemaVersion(sqlite);
            return new SqliteStoreConnection(sqlite);
        }
        catch
        {
            sqlite.Dispose();
            throw;
        }
    }

    private void CheckSchemaVersion(SqliteConnection sqlite)
    {
        using var command = sqlite.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        long version = (long)(command.ExecuteScalar() ?? 0L);
        if (version == SqliteSchema.Version) return;
        if (version > SqliteSchema.Version)
            throw new VaultStorageException($"the vault '{_path}' uses schema version {version}, newer than this SecureVault understands ({SqliteSchema.Version}). Update SecureVault.");
        if (version < 1) throw new VaultIntegrityException($"the file '{_path}' is not a SecureVault vault (schema version {version})");
        MigrateForward(sqlite);
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

    private void CreateFileWithOwnerOnlyMode()
    {
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory)) PrivateFile.CreateFolder(directory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var _ = new FileStream(_path, options);
        }
        catch (IOException) when (File.Exists(_path))
        {
            if (Exists()) throw new VaultAlreadyExistsException(_path);
            // An empty file left by an interrupted create holds nothing: reuse it with a safe mode.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VaultStorageException($"cannot create '{_path}': access denied. Choose a folder you can write to.", e);
        }
    }

    public void Checkpoint() => Execute(connection =>
    {
        using var command = connection.Connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        return 0;
    });

    public void ReleaseIdleConnections()
    {
        while (_idle.TryTake(out var connection)) connection.Dispose();
    }

    /// <summary>Closes every pooled connection (their prepared statements and file handles).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        ReleaseIdleConnections();
    }

    /// <summary>At most this many problems are listed by one self-check (a wrecked file would list thousands).</summary>
    private const int MaxSelfCheckProblems = 100;

    /// <summary>
    /// SQLite's integrity_check (every page, index and constraint) and foreign_key_check (rows that
    /// point at nothing, such as a keyslot whose principal row is gone), in one read transaction.
    /// </summary>
    public IReadOnlyList<string> SelfCheck() => InTransaction(deferred: true, connection =>
    {
        var problems = new List<string>();
        using (var command = connection.Connection.CreateCommand())
        {
            command.Transaction = connection.Transaction;
            command.CommandText = $"PRAGMA integrity_check({MaxSelfCheckProblems});";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var line = reader.IsDBNull(0) ? "(no text)" : reader.GetString(0);
                if (line != "ok") problems.Add("integrity_check: " + line);
            }
        }
        using (var command = connection.Connection.CreateCommand())
        {
            command.Transaction = connection.Transaction;
            command.CommandText = "PRAGMA foreign_key_check;";
            using var reader = command.ExecuteReader();
            while (reader.Read() && problems.Count < MaxSelfCheckProblems)
            {
                // Columns: table, rowid, referenced table, constraint index.
                var table = reader.IsDBNull(0) ? "?" : reader.GetString(0);
                var parent = reader.IsDBNull(2) ? "?" : reader.GetString(2);
                var rowid = reader.IsDBNull(1) ? "?" : reader.GetValue(1).ToString();
                problems.Add($"foreign_key_check: a row of {table} (rowid {rowid}) points at a {parent} row that does not exist");
            }
        }
        return (IReadOnlyList<string>)problems;
    });
}

/// <summary>Maps SQLite failures onto the engine's exception types.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5, Locked = 6, Corrupt = 11, NotADatabase = 26;

    public static VaultException Map(SqliteException e, string path) => e.SqliteErrorCode switch
    {
        Busy or Locked => new VaultConcurrencyException(path, e),
        Corrupt or NotADatabase => new VaultIntegrityException($"the vault file '{path}' is damaged or truncated", e),
        _ when e.Message.Contains("no such table", StringComparison.Ordinal) || e.Message.Contains("no such column", StringComparison.Ordinal)
            => new VaultIntegrityException($"the file '{path}' does not have the vault's structure", e),
        _ => new VaultStorageException($"SQLite error {e.SqliteErrorCode} on '{path}': {e.Message}", e),
    };
}
