using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// The vault's files on disk (issue 12, items 10-13): journals created owner-only whatever the
/// vault file's mode, a clear error when the vault cannot be written, a create that fails leaves
/// nothing, another application's database is never changed, and a folder is not a vault.
/// </summary>
public sealed class VaultFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _folder = Directory.CreateTempSubdirectory("securevault-files-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_read_only_vault_file_is_refused_with_what_to_do_and_works_again_once_writable()
    {
        if (OperatingSystem.IsWindows()) return; // Unix mode bits
        using var vault = new TestVault();
        Secrets.WriteText(vault.Engine, "alpha", "one");
        vault.Release();
        Assert.False(File.Exists(vault.Path + "-wal"), "a released vault is one file");
        File.SetUnixFileMode(vault.Path, UnixFileMode.UserRead); // the read-only episode

        var engine = vault.Reopen();
        var refusal = Assert.Throws<VaultStorageException>(() => engine.Unlock(TestVault.Password, "owner"));
        Assert.Contains("chmod 600", refusal.Message);
        Assert.Contains(vault.Path, refusal.Message);
        Assert.False(File.Exists(vault.Path + "-wal"), "nothing was created with the file's read-only mode");

        File.SetUnixFileMode(vault.Path, OwnerOnly);
        engine.Unlock(TestVault.Password, "owner");
        Assert.Equal("one", Secrets.ReadText(engine, "alpha"));
    }

    [Fact]
    public void Journals_are_created_owner_only_whatever_the_vault_files_mode()
    {
        if (OperatingSystem.IsWindows()) return; // Unix mode bits
        using var vault = new TestVault();
        vault.Release();
        // A mode SQLite would copy onto the journals: readable by the group.
        File.SetUnixFileMode(vault.Path, OwnerOnly | UnixFileMode.GroupRead);
        var engine = vault.Reopen();
        engine.Unlock(TestVault.Password, "owner");
        Secrets.WriteText(engine, "alpha", "one");

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(vault.Path + "-wal"));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(vault.Path + "-shm"));
        Assert.Equal("one", Secrets.ReadText(engine, "alpha"));
    }

    [Theory]
    [InlineData(8)]   // SQLITE_READONLY
    [InlineData(776)] // SQLITE_READONLY_DBMOVED, an extended code of the same
    [InlineData(14)]  // SQLITE_CANTOPEN
    public void A_vault_that_cannot_be_written_names_its_files_and_what_to_do(int code)
    {
        var error = SqliteErrors.Map(new SqliteException("attempt to write a readonly database", code), "/data/x.vault");
        var storage = Assert.IsType<VaultStorageException>(error);
        Assert.Contains("/data/x.vault-wal", storage.Message);
        Assert.Contains("0600", storage.Message);
        Assert.Contains("audit record", storage.Message);
    }

    [Fact]
    public void A_failed_create_on_a_full_disk_leaves_nothing_and_a_retry_succeeds()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName != "root") return; // needs mount(8): run as root in CI
        var mount = Path.Combine(_folder, "small");
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount);
        try
        {
            var path = Path.Combine(mount, "full.vault");
            var engine = VaultEngine.Open(path);
            var failure = Assert.ThrowsAny<VaultException>(() => engine.Create(TestVault.Password, "owner", TestVault.CheapKdf));
            Assert.Equal("StorageError", failure.ErrorId);
            Assert.Empty(Directory.GetFileSystemEntries(mount));
            Assert.False(engine.Exists);

            Run("mount", "-o", "remount,size=4m", mount);
            engine.Create(TestVault.Password, "owner", TestVault.CheapKdf);
            Secrets.WriteText(engine, "alpha", "one");
            Assert.Equal("one", Secrets.ReadText(engine, "alpha"));
            engine.Lock();
            VaultEngine.ForgetStore(path);
        }
        finally
        {
            Run("umount", mount);
        }
    }

    [Fact]
    public void Another_applications_database_is_refused_and_left_byte_for_byte_unchanged()
    {
        var path = Path.Combine(_folder, "other.db");
        using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = DELETE; CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('hello');";
            command.ExecuteNonQuery();
        }
        var before = SHA256.HashData(File.ReadAllBytes(path));

        var engine = VaultEngine.Open(path);
        var refusal = Assert.ThrowsAny<VaultException>(() => engine.Unlock(TestVault.Password, "owner"));
        Assert.Equal("IntegrityViolation", refusal.ErrorId);
        Assert.Contains("not a SecureVault vault", refusal.Message);
        VaultEngine.ForgetStore(path);

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.False(File.Exists(path + "-wal"));
        Assert.False(File.Exists(path + "-shm"));
        using var check = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        check.Open();
        using var mode = check.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("delete", mode.ExecuteScalar());
    }

    [Fact]
    public void Another_applications_wal_database_with_a_live_log_is_refused_and_neither_file_is_touched()
    {
        // A WAL-mode database whose newest rows are still only in its -wal (its program crashed, or
        // this is a copy taken while it ran), numbered 1 as many applications number theirs: opening
        // it read-write would create a -shm beside it, and closing that connection would move the
        // log into the database and delete the -wal.
        var live = Path.Combine(_folder, "live.db");
        // A name SQLite's URI syntax would misread unless escaped ('?' cannot be in a Windows name).
        var path = Path.Combine(_folder, OperatingSystem.IsWindows() ? "app #1 %41.db" : "app #1 %41?x=1.db");
        using (var other = new SqliteConnection($"Data Source={live};Pooling=False"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); PRAGMA user_version = 1; PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
                + "INSERT INTO notes (text) VALUES ('only in the log');";
            command.ExecuteNonQuery();
            File.Copy(live, path);
            File.Copy(live + "-wal", path + "-wal");
        }
        Assert.False(File.Exists(path + "-shm"));
        var database = SHA256.HashData(File.ReadAllBytes(path));
        var log = SHA256.HashData(File.ReadAllBytes(path + "-wal"));
        Assert.True(new FileInfo(path + "-wal").Length > 0, "the log holds the newest row");

        var engine = VaultEngine.Open(path);
        var refusal = Assert.ThrowsAny<VaultException>(() => engine.Unlock(TestVault.Password, "owner"));
        Assert.Equal("IntegrityViolation", refusal.ErrorId);
        Assert.Contains("not a SecureVault vault", refusal.Message);
        VaultEngine.ForgetStore(path);

        Assert.Equal(database, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.True(File.Exists(path + "-wal"), "the other application's log is still there");
        Assert.Equal(log, SHA256.HashData(File.ReadAllBytes(path + "-wal")));
        Assert.False(File.Exists(path + "-shm"), "no -shm was created beside it");
    }

    [Fact]
    public void A_vault_whose_name_has_characters_special_in_a_sqlite_uri_opens()
    {
        var path = Path.Combine(_folder, OperatingSystem.IsWindows() ? "team #1 %41.vault" : "team #1 %41?x=1.vault");
        var engine = VaultEngine.Open(path);
        engine.Create(TestVault.Password, "owner", TestVault.CheapKdf);
        Secrets.WriteText(engine, "alpha", "one");
        engine.Lock();
        var again = VaultEngine.Open(path);
        again.Unlock(TestVault.Password, "owner");
        Assert.Equal("one", Secrets.ReadText(again, "alpha"));
        again.Lock();
        VaultEngine.ForgetStore(path);
    }

    [Fact]
    public void A_database_with_our_schema_number_but_no_vault_header_is_not_a_vault()
    {
        var path = Path.Combine(_folder, "numbered.db");
        using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = $"CREATE TABLE notes (id INTEGER PRIMARY KEY); PRAGMA user_version = {SqliteSchema.Version};";
            command.ExecuteNonQuery();
        }
        var before = SHA256.HashData(File.ReadAllBytes(path));
        var refusal = Assert.ThrowsAny<VaultException>(() => VaultEngine.Open(path).Unlock(TestVault.Password, "owner"));
        Assert.Equal("IntegrityViolation", refusal.ErrorId);
        VaultEngine.ForgetStore(path);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
    }

    [Fact]
    public void A_folder_given_as_the_vault_is_one_clear_invalid_input_for_create_unlock_and_read()
    {
        var engine = VaultEngine.Open(_folder);
        var create = Assert.ThrowsAny<VaultException>(() => engine.Create(TestVault.Password, "owner", TestVault.CheapKdf));
        var unlock = Assert.ThrowsAny<VaultException>(() => engine.Unlock(TestVault.Password, "owner"));
        var read = Assert.ThrowsAny<VaultException>(() => engine.GetKey("alpha"));
        foreach (var error in new[] { create, unlock, read })
        {
            Assert.Equal("InvalidInput", error.ErrorId);
            Assert.Contains("is a folder", error.Message);
        }
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {process.StandardError.ReadToEnd()}");
    }
}
