using SecureVault.Audit;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// Backup and restore of the whole vault (issue 12, item 9): an online copy that is checked,
/// owner-only and audited; a restore that proves the copy before it replaces anything and never
/// puts an older copy over a newer vault unless forced; and a locked vault that is one file.
/// </summary>
public sealed class BackupTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private string InFolder(string name) => Path.Combine(_vault.Folder, name);

    private void WriteKeys(int count, string prefix = "key")
    {
        for (int i = 0; i < count; i++) Secrets.WriteText(_vault.Engine, $"{prefix}-{i}", $"value-{prefix}-{i}");
    }

    [Fact]
    public void A_backup_restored_to_a_new_path_holds_every_key_and_a_chain_that_verifies()
    {
        WriteKeys(20);
        var backup = _vault.Engine.Backup(InFolder("copy.backup"));
        Assert.True(backup.HeadSeq > 1);
        Assert.Equal(InFolder("copy.backup"), backup.Path);
        Assert.False(File.Exists(backup.Path + "-wal"), "a backup is one file");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup.Path));

        var restoredPath = InFolder("restored.vault");
        var restored = VaultEngine.Open(restoredPath);
        var info = restored.RestoreBackup(backup.Path, TestVault.Password, "owner");
        Assert.Null(info.ReplacedHeadSeq);
        Assert.Equal(backup.HeadSeq, info.HeadSeq);
        Assert.Empty(Directory.GetFiles(_vault.Folder, "*.tmp*"));
        try
        {
            restored.Unlock(TestVault.Password, "owner");
            for (int i = 0; i < 20; i++) Assert.Equal($"value-key-{i}", Secrets.ReadText(restored, $"key-{i}"));
            Assert.True(restored.VerifyAudit().IsValid);
            var log = restored.GetAuditLog();
            Assert.Contains(log, r => r.Action == AuditAction.Backup && r.Seq == backup.HeadSeq);
            Assert.Contains(log, r => r.Action == AuditAction.VaultRestore && r.Outcome == AuditOutcome.Success);
        }
        finally
        {
            restored.Lock();
            VaultEngine.ForgetStore(restoredPath);
        }
    }

    [Fact]
    public void A_backup_is_audited_in_the_source_vault_and_needs_the_backup_permission()
    {
        _vault.Engine.Backup(InFolder("one.backup"));
        Assert.Contains(_vault.Engine.GetAuditLog(), r => r.Action == AuditAction.Backup && r.Outcome == AuditOutcome.Success);
        Assert.Equal(PermissionScopeOf("backup"), (Access.PermissionScope.All, Access.PermissionScope.None, Access.PermissionScope.None));
        Assert.Equal(PermissionScopeOf("restore"), (Access.PermissionScope.All, Access.PermissionScope.None, Access.PermissionScope.None));
    }

    private static (Access.PermissionScope, Access.PermissionScope, Access.PermissionScope) PermissionScopeOf(string name)
    {
        var row = Access.Permissions.Matrix.Single(p => p.Permission == name);
        return (row.Admin, row.User, row.Viewer);
    }

    [Fact]
    public void An_existing_file_is_not_overwritten_without_force()
    {
        var path = InFolder("exists.backup");
        File.WriteAllText(path, "not mine");
        var refusal = Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.Backup(path));
        Assert.Contains("-Force", refusal.Message);
        Assert.Equal("not mine", File.ReadAllText(path));

        _vault.Engine.Backup(path, overwrite: true);
        Assert.NotEqual("not mine", File.ReadAllText(path, System.Text.Encoding.Latin1)[..5]);
    }

    [Fact]
    public void A_tampered_backup_is_refused_and_the_vault_is_left_as_it_was()
    {
        WriteKeys(3);
        var backup = _vault.Engine.Backup(InFolder("tampered.backup"));
        // Change one audit record inside the copy (a file writer's edit): the chain no longer verifies.
        using (var file = new RawVaultFile(backup.Path)) file.FlipByte("audit_log", "record", "seq = 2");

        var target = InFolder("target.vault");
        var engine = VaultEngine.Open(target);
        var refusal = Assert.ThrowsAny<VaultException>(() => engine.RestoreBackup(backup.Path, TestVault.Password, "owner"));
        Assert.Equal("IntegrityViolation", refusal.ErrorId);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_vault.Folder, "*.tmp*"));
        VaultEngine.ForgetStore(target);
    }

    [Fact]
    public void A_backup_altered_after_the_restore_began_is_checked_as_it_is_copied_and_refused()
    {
        WriteKeys(3);
        var backup = _vault.Engine.Backup(InFolder("swapped.backup"));
        // The same backup with a b-tree SQLite's integrity check finds damaged, which neither an
        // unlock nor the audit chain reads: only the check on the copy that is installed can see it.
        var damaged = InFolder("damaged.backup");
        File.Copy(backup.Path, damaged);
        using (var file = new RawVaultFile(damaged))
        {
            file.Execute("CREATE TABLE scratch (a INTEGER, b INTEGER); INSERT INTO scratch VALUES (1, 2), (3, 4); CREATE INDEX scratch_a ON scratch (a);");
            file.Execute("PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'CREATE INDEX scratch_a ON scratch (b)' WHERE name = 'scratch_a'; PRAGMA writable_schema = OFF;");
        }

        var target = InFolder("swapped.vault");
        // The backup file is replaced by the damaged one once the restore has started, before it is copied.
        using var store = new AlteringStore(new SqliteVaultStore(target), beforeCopy: source => File.Copy(damaged, source, overwrite: true));
        var engine = new VaultEngine(store);
        var refusal = Assert.Throws<VaultIntegrityException>(() => engine.RestoreBackup(backup.Path, TestVault.Password, "owner"));
        Assert.Contains("is damaged (SQLite:", refusal.Message);
        Assert.Contains(backup.Path, refusal.Message);
        Assert.False(File.Exists(target), "nothing was installed");
        Assert.Empty(Directory.GetFiles(_vault.Folder, "*.tmp*"));
    }

    /// <summary>A store that runs <paramref name="beforeCopy"/> on the backup's path when a restore asks for its copy.</summary>
    private sealed class AlteringStore(IVaultStore inner, Action<string> beforeCopy) : IVaultStore
    {
        public string Kind => inner.Kind;
        public string Location => inner.Location;
        public bool Exists() => inner.Exists();
        public T Initialize<T>(Func<IVaultWriter, T> firstWrite) => inner.Initialize(firstWrite);
        public IReadOnlyList<string> SelfCheck() => inner.SelfCheck();
        public void BackupTo(string path, byte[] head) => inner.BackupTo(path, head);
        public IVaultBackupFile OpenBackup(string path) => inner.OpenBackup(path);
        public IVaultStore StageRestore<T>(string backupPath, Func<IVaultBackupFile, T> check, out T checkedResult)
        {
            beforeCopy(backupPath);
            return inner.StageRestore(backupPath, check, out checkedResult);
        }
        public void ReplaceWith(IVaultStore staged) => inner.ReplaceWith(staged);
        public void Checkpoint() => inner.Checkpoint();
        public void ReleaseIdleConnections() => inner.ReleaseIdleConnections();
        public T Read<T>(Func<IVaultReader, T> work) => inner.Read(work);
        public T Write<T>(Func<IVaultWriter, T> work) => inner.Write(work);
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void A_backup_cut_short_before_its_head_is_refused()
    {
        var backup = _vault.Engine.Backup(InFolder("short.backup"));
        using (var file = new RawVaultFile(backup.Path)) file.Execute("DELETE FROM audit_log WHERE seq = $a0", backup.HeadSeq);
        var engine = VaultEngine.Open(InFolder("short.vault"));
        var refusal = Assert.Throws<VaultIntegrityException>(() => engine.RestoreBackup(backup.Path, TestVault.Password, "owner"));
        Assert.Contains("incomplete or altered", refusal.Message);
        VaultEngine.ForgetStore(InFolder("short.vault"));
    }

    [Fact]
    public void An_older_backup_is_not_put_over_a_newer_vault_without_force()
    {
        WriteKeys(2, "old");
        var backup = _vault.Engine.Backup(InFolder("older.backup"));
        WriteKeys(2, "new"); // the vault moves on past the backup

        var refusal = Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.RestoreBackup(backup.Path, TestVault.Password, "owner"));
        Assert.Contains("newer than the backup", refusal.Message);
        Assert.Equal("value-new-1", Secrets.ReadText(_vault.Engine, "new-1"));

        var info = _vault.Engine.RestoreBackup(backup.Path, TestVault.Password, "owner", force: true);
        Assert.NotNull(info.ReplacedHeadSeq);
        Assert.False(_vault.Engine.IsUnlocked, "the session on the replaced vault was closed");
        _vault.Engine.Unlock(TestVault.Password, "owner");
        Assert.Equal("value-old-1", Secrets.ReadText(_vault.Engine, "old-1"));
        Assert.Throws<VaultKeyNotFoundException>(() => _vault.Engine.GetKey("new-1"));
        Assert.True(_vault.Engine.VerifyAudit().IsValid);
    }

    [Fact]
    public void A_backup_of_a_vault_that_has_not_moved_on_restores_over_it_without_force()
    {
        WriteKeys(2);
        _vault.Engine.Lock();
        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password, "owner");
        var backup = engine.Backup(InFolder("same.backup"));
        // The vault's newest record is the backup record, which the copy holds: not newer.
        engine.RestoreBackup(backup.Path, TestVault.Password, "owner");
        engine.Unlock(TestVault.Password, "owner");
        Assert.Equal("value-key-1", Secrets.ReadText(engine, "key-1"));
    }

    [Fact]
    public void A_wrong_password_restores_nothing()
    {
        var backup = _vault.Engine.Backup(InFolder("pw.backup"));
        var target = InFolder("pw.vault");
        Assert.Throws<VaultAuthenticationException>(() => VaultEngine.Open(target).RestoreBackup(backup.Path, TestVault.WrongPassword, "owner"));
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_vault.Folder, "*.tmp*"));
        VaultEngine.ForgetStore(target);
    }

    [Fact]
    public void A_live_vault_file_is_not_taken_for_a_backup()
    {
        var refusal = Assert.Throws<VaultInvalidInputException>(() => VaultEngine.Open(InFolder("x.vault")).RestoreBackup(_vault.Path, TestVault.Password, "owner"));
        Assert.Contains("live vault", refusal.Message);
        VaultEngine.ForgetStore(InFolder("x.vault"));
    }

    [Fact]
    public void A_locked_vault_is_one_file_that_a_plain_copy_takes_whole()
    {
        WriteKeys(30);
        Assert.True(new FileInfo(_vault.Path + "-wal").Length > 0, "the writes sit in the WAL while the vault is open");
        _vault.Engine.Lock();
        Assert.False(File.Exists(_vault.Path + "-wal"), "the lock checkpointed the WAL into the vault file");

        var copy = InFolder("plain-copy.vault");
        File.Copy(_vault.Path, copy);
        var engine = VaultEngine.Open(copy);
        try
        {
            engine.Unlock(TestVault.Password, "owner");
            for (int i = 0; i < 30; i++) Assert.Equal($"value-key-{i}", Secrets.ReadText(engine, $"key-{i}"));
        }
        finally
        {
            engine.Lock();
            VaultEngine.ForgetStore(copy);
        }
        _vault.Engine.Unlock(TestVault.Password, "owner");
    }

    [Fact]
    public void A_vault_whose_session_timed_out_is_one_file_again()
    {
        using var vault = new TestVault(idleTimeout: TimeSpan.FromSeconds(1));
        for (int i = 0; i < 10; i++) Secrets.WriteText(vault.Engine, $"key-{i}", "value");
        Assert.True(new FileInfo(vault.Path + "-wal").Length > 0, "the writes sit in the WAL while the vault is open");
        Thread.Sleep(TimeSpan.FromSeconds(1.5));
        Assert.False(vault.Engine.IsUnlocked); // the expired session is zeroized now
        Assert.False(File.Exists(vault.Path + "-wal"), "the timed-out vault's connections were closed and the WAL folded in");
    }

    [Fact]
    public void A_restore_is_refused_while_another_connection_has_the_vault_open()
    {
        Secrets.WriteText(_vault.Engine, "alpha", "one");
        var backup = _vault.Engine.Backup(InFolder("busy.backup"));
        Secrets.WriteText(_vault.Engine, "beta", "two");
        using (var other = new RawVaultFile(_vault.Path)) // as another program would hold it
        {
            Assert.NotNull(other.Scalar("SELECT COUNT(*) FROM secrets"));
            var refusal = Assert.Throws<VaultStorageException>(() => _vault.Engine.RestoreBackup(backup.Path, TestVault.Password, "owner", force: true));
            Assert.Contains("still open in another program", refusal.Message);
        }
        _vault.Engine.Unlock(TestVault.Password, "owner");
        Assert.Equal("two", Secrets.ReadText(_vault.Engine, "beta"));
        Assert.Empty(Directory.GetFiles(_vault.Folder, "*.tmp*"));
    }

    [Fact]
    public void A_backup_that_cannot_be_written_leaves_nothing_and_is_recorded_as_failed()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName != "root") return; // needs mount(8): run as root in CI
        WriteKeys(20);
        var mount = InFolder("small");
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount);
        try
        {
            var failure = Assert.ThrowsAny<VaultException>(() => _vault.Engine.Backup(Path.Combine(mount, "full.backup")));
            Assert.Equal("StorageError", failure.ErrorId);
            Assert.Contains("full", failure.Message);
            Assert.Empty(Directory.GetFileSystemEntries(mount));
        }
        finally
        {
            Run("umount", mount);
        }
        var records = _vault.Engine.GetAuditLog().Where(r => r.Action == AuditAction.Backup).ToList();
        Assert.Equal([AuditOutcome.Success, AuditOutcome.Error], records.Select(r => r.Outcome));
    }

    private static void Run(string file, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {process.StandardError.ReadToEnd()}");
    }
}
