namespace SecureVault.Cli.Tests;

/// <summary>
/// <c>securevault backup</c> and <c>restore-backup</c> (issue 12, item 9): a backup taken while
/// another process writes in a loop restores to a new path with every key readable and a chain
/// that verifies; a tampered backup and an older one over a newer vault are refused. Also a
/// folder given as the vault (item 13).
/// </summary>
public sealed class BackupTests : IDisposable
{
    private const int Preloaded = 5;
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    private string InFolder(string name) => Path.Combine(_box.Folder, name);

    /// <summary>Runs the tool on another vault than the sandbox's.</summary>
    private Task<CliResult> OnVault(string vault, string stdin, params string[] arguments) =>
        CliTool.RunAsync(_box.Environment, System.Text.Encoding.UTF8.GetBytes(stdin), [.. arguments, "--vault", vault]);

    [Fact]
    public async Task A_backup_taken_while_another_process_writes_restores_whole_to_a_new_path()
    {
        await _box.Init();
        for (int i = 0; i < Preloaded; i++) await _box.Set($"pre-{i}", $"value-pre-{i}");

        // A writer process loop runs while backups are taken.
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            int written = 0;
            while (!stop.IsCancellationRequested)
            {
                CliSandbox.Succeeded(await _box.WithPassword($"value-loop-{written}", "set", $"loop-{written}"));
                written++;
            }
            return written;
        });
        var backups = new List<string>();
        for (int n = 0; n < 2; n++)
        {
            var path = InFolder($"during-{n}.backup");
            CliSandbox.Succeeded(await _box.WithPassword("", "backup", path));
            backups.Add(path);
        }
        stop.Cancel();
        int writes = await writer;
        Assert.True(writes > 0, "the writer ran during the backups");

        int loopKeysChecked = 0;
        foreach (var backup in backups)
        {
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
            var restored = InFolder(Path.GetFileNameWithoutExtension(backup) + ".vault");
            CliSandbox.Succeeded(await OnVault(restored, CliSandbox.Password + "\n", "restore-backup", backup, "--password-stdin"));
            for (int i = 0; i < Preloaded; i++)
            {
                var value = CliSandbox.Succeeded(await OnVault(restored, CliSandbox.Password + "\n", "get", $"pre-{i}", "--password-stdin"));
                Assert.Equal($"value-pre-{i}", value.StdoutText.TrimEnd('\n'));
            }
            // Every loop key the copy holds reads back with its own value.
            var list = CliSandbox.Succeeded(await OnVault(restored, CliSandbox.Password + "\n", "list", "--json", "--password-stdin"));
            var names = list.StdoutLines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("name").GetString()!).ToList();
            for (int i = 0; i < Preloaded; i++) Assert.Contains($"pre-{i}", names);
            foreach (var name in names.Where(n => n.StartsWith("loop-", StringComparison.Ordinal)))
            {
                loopKeysChecked++;
                var value = CliSandbox.Succeeded(await OnVault(restored, CliSandbox.Password + "\n", "get", name, "--password-stdin"));
                Assert.Equal("value-" + name, value.StdoutText.TrimEnd('\n'));
            }
            CliSandbox.Succeeded(await OnVault(restored, CliSandbox.Password + "\n", "audit", "verify", "--password-stdin"));
        }
        Assert.True(loopKeysChecked > 0, "the backups hold keys the writer wrote while they were taken");
    }

    [Fact]
    public async Task A_tampered_backup_is_refused_and_nothing_is_created()
    {
        await _box.Init();
        await _box.Set("alpha", "one");
        var backup = InFolder("x.backup");
        CliSandbox.Succeeded(await _box.WithPassword("", "backup", backup));
        var bytes = File.ReadAllBytes(backup);
        bytes[^200] ^= 0xFF;
        File.WriteAllBytes(backup, bytes);

        var target = InFolder("never.vault");
        CliSandbox.Failed(await OnVault(target, CliSandbox.Password + "\n", "restore-backup", backup, "--password-stdin"), 5);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task An_older_backup_over_a_newer_vault_is_refused_without_force()
    {
        await _box.Init();
        await _box.Set("alpha", "one");
        var backup = InFolder("older.backup");
        CliSandbox.Succeeded(await _box.WithPassword("", "backup", backup));
        await _box.Set("beta", "two");

        var refused = CliSandbox.Failed(await _box.WithPassword("", "restore-backup", backup), ExitCode.InvalidInput);
        Assert.Contains("newer than the backup", refused.Stderr);
        Assert.Equal("two", System.Text.Encoding.UTF8.GetString(await _box.Get("beta")).TrimEnd('\n'));

        CliSandbox.Succeeded(await _box.WithPassword("", "restore-backup", backup, "--force"));
        CliSandbox.Failed(await _box.WithPassword("", "get", "beta"), ExitCode.NotFound);
        Assert.Equal("one", System.Text.Encoding.UTF8.GetString(await _box.Get("alpha")).TrimEnd('\n'));
    }

    [Fact]
    public async Task An_existing_backup_file_is_not_overwritten_without_force()
    {
        await _box.Init();
        var path = InFolder("taken.backup");
        File.WriteAllText(path, "keep me");
        CliSandbox.Failed(await _box.WithPassword("", "backup", path), ExitCode.InvalidInput);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_folder_given_as_the_vault_is_one_clear_invalid_input_for_init_get_and_list()
    {
        var folder = InFolder("a-folder");
        Directory.CreateDirectory(folder);
        var init = CliSandbox.Failed(await OnVault(folder, CliSandbox.Password + "\n", ["init", "--password-stdin", .. CliSandbox.CheapKdf]), ExitCode.InvalidInput);
        var get = CliSandbox.Failed(await OnVault(folder, CliSandbox.Password + "\n", "get", "alpha", "--password-stdin"), ExitCode.InvalidInput);
        var list = CliSandbox.Failed(await OnVault(folder, CliSandbox.Password + "\n", "list", "--password-stdin"), ExitCode.InvalidInput);
        foreach (var result in new[] { init, get, list }) Assert.Contains("is a folder", result.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
