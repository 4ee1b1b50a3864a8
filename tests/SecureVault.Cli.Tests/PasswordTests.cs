using System.Text;

namespace SecureVault.Cli.Tests;

/// <summary>Password sources (--password-stdin, SECUREVAULT_PASSWORD_FILE), wrong passwords and passwd.</summary>
public sealed class PasswordTests : IDisposable
{
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task A_wrong_password_fails_with_exit_code_3_and_is_not_echoed()
    {
        await _box.Init();
        await _box.Set("k", "v");
        const string wrong = "Wrong-Password-4711";
        var result = CliSandbox.Failed(await _box.Run(wrong + "\n", "get", "k", "--password-stdin"), ExitCode.Authentication);
        Assert.DoesNotContain(wrong, result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Five_wrong_passwords_in_five_processes_lock_the_principal_out_for_the_next_process()
    {
        await _box.Init();
        for (int i = 0; i < 5; i++)
            CliSandbox.Failed(await _box.Run("Wrong-Password-4711\n", "list", "--password-stdin"), ExitCode.Authentication);

        // The count lives in the vault, so a sixth process with the right password is refused too, without a KDF run.
        var locked = CliSandbox.Failed(await _box.WithPassword("", "list"), ExitCode.Authentication);
        Assert.Contains("locked out until", locked.Stderr);
    }

    [Fact]
    public async Task The_password_file_gives_the_password_and_stdin_is_all_value()
    {
        await _box.Init();
        var file = Path.Combine(_box.Folder, "password.txt");
        await File.WriteAllTextAsync(file, CliSandbox.Password + "\nthis second line is ignored\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _box.Environment["SECUREVAULT_PASSWORD_FILE"] = file;

        var set = CliSandbox.Succeeded(await _box.Run("first line of the value\nsecond line\n", "set", "multi"));
        Assert.Equal("", set.Stderr);
        var get = CliSandbox.Succeeded(await _box.Run("", "get", "multi"));
        Assert.Equal("first line of the value\nsecond line\n", get.StdoutText);

        await File.WriteAllTextAsync(file, "not the password\n");
        CliSandbox.Failed(await _box.Run("", "get", "multi"), ExitCode.Authentication);
    }

    [Fact]
    public async Task A_missing_password_file_is_a_usage_error()
    {
        await _box.Init();
        _box.Environment["SECUREVAULT_PASSWORD_FILE"] = Path.Combine(_box.Folder, "absent.txt");
        var result = CliSandbox.Failed(await _box.Run("", "list"), ExitCode.Usage);
        Assert.Contains("SECUREVAULT_PASSWORD_FILE", result.Stderr);
    }

    [Fact]
    public async Task Without_a_terminal_or_password_source_the_tool_says_how_to_give_one()
    {
        await _box.Init();
        var result = CliSandbox.Failed(await _box.Run("", "list"), ExitCode.Usage);
        Assert.Contains("--password-stdin", result.Stderr);
        Assert.Contains("SECUREVAULT_PASSWORD_FILE", result.Stderr);
    }

    [Fact]
    public async Task Passwd_replaces_the_password_from_stdin_lines()
    {
        await _box.Init();
        await _box.Set("k", "kept across the change");
        const string replacement = "a brand new passphrase";

        CliSandbox.Succeeded(await _box.Run($"{CliSandbox.Password}\n{replacement}\n", "passwd", "--password-stdin"));

        CliSandbox.Failed(await _box.WithPassword("", "get", "k"), ExitCode.Authentication);
        var get = CliSandbox.Succeeded(await _box.Run(replacement + "\n", "get", "k", "--password-stdin"));
        Assert.Equal("kept across the change\n", get.StdoutText);
    }

    [Fact]
    public async Task Passwd_with_a_password_file_reads_the_new_password_from_stdin()
    {
        await _box.Init();
        var file = Path.Combine(_box.Folder, "password.txt");
        await File.WriteAllTextAsync(file, CliSandbox.Password);
        _box.Environment["SECUREVAULT_PASSWORD_FILE"] = file;

        CliSandbox.Succeeded(await _box.Run("second passphrase here\n", "passwd"));

        CliSandbox.Failed(await _box.Run("", "status", "--unlock"), ExitCode.Authentication);
        await File.WriteAllTextAsync(file, "second passphrase here\n");
        CliSandbox.Succeeded(await _box.Run("", "status", "--unlock"));
    }

    [Fact]
    public async Task Passwd_refuses_a_wrong_current_password_and_a_short_new_one()
    {
        await _box.Init();
        CliSandbox.Failed(await _box.Run("wrong current one\nanother passphrase\n", "passwd", "--password-stdin"), ExitCode.Authentication);
        CliSandbox.Failed(await _box.Run($"{CliSandbox.Password}\nshort\n", "passwd", "--password-stdin"), ExitCode.InvalidInput);
        CliSandbox.Succeeded(await _box.WithPassword("", "status", "--unlock"));
    }

    [Fact]
    public async Task Init_refuses_a_short_password_an_existing_vault_and_bad_kdf_parameters()
    {
        CliSandbox.Failed(await _box.Run("short\n", ["init", "--password-stdin", .. CliSandbox.CheapKdf]), ExitCode.InvalidInput);
        Assert.False(File.Exists(_box.VaultPath));
        CliSandbox.Failed(await _box.Run(CliSandbox.Password + "\n", "init", "--password-stdin", "--kdf-memory-mib", "0"), ExitCode.InvalidInput);
        Assert.False(File.Exists(_box.VaultPath));

        await _box.Init();
        CliSandbox.Failed(await _box.Run(CliSandbox.Password + "\n", ["init", "--password-stdin", .. CliSandbox.CheapKdf]), ExitCode.InvalidInput);
        CliSandbox.Succeeded(await _box.WithPassword("", "status", "--unlock"));
    }

    [Fact]
    public async Task Init_with_a_named_principal_unlocks_only_as_that_principal()
    {
        CliSandbox.Succeeded(await _box.Run(CliSandbox.Password + "\n", ["init", "--password-stdin", "--principal", "alice", .. CliSandbox.CheapKdf]));
        CliSandbox.Succeeded(await _box.WithPassword("", "status", "--unlock", "--principal", "alice"));
        var wrong = CliSandbox.Failed(await _box.WithPassword("", "status", "--unlock", "--principal", "bob"), ExitCode.Authentication);
        // The message reads the same as a wrong password: it does not reveal which principals exist.
        var badPassword = CliSandbox.Failed(await _box.Run("not the password\n", "status", "--unlock", "--principal", "alice", "--password-stdin"), ExitCode.Authentication);
        Assert.Equal(badPassword.Stderr, wrong.Stderr);
    }
}
