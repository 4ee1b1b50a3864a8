using System.Text;
using SecureVault.Values;

namespace SecureVault.Cli.Tests;

/// <summary>Exit codes, refusals, and that no secret ever reaches stderr.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Missing_vault_key_and_version_exit_with_code_2()
    {
        var noVault = CliSandbox.Failed(await _box.WithPassword("", "get", "anything"), ExitCode.NotFound);
        Assert.Contains("securevault init", noVault.Stderr);

        await _box.Init();
        await _box.Set("present", "value");
        var noKey = CliSandbox.Failed(await _box.WithPassword("", "get", "absent"), ExitCode.NotFound);
        Assert.Contains("'absent'", noKey.Stderr);
        CliSandbox.Failed(await _box.WithPassword("", "get", "present", "--version", "5"), ExitCode.NotFound);
        CliSandbox.Failed(await _box.WithPassword("", "rm", "absent", "--force"), ExitCode.NotFound);
    }

    [Fact]
    public async Task Rm_without_force_and_without_a_terminal_refuses_and_keeps_the_key()
    {
        await _box.Init();
        await _box.Set("keep-me", "value");
        var result = CliSandbox.Failed(await _box.WithPassword("", "rm", "keep-me"), ExitCode.Usage);
        Assert.Contains("--force", result.Stderr);
        Assert.Equal("value\n", Encoding.UTF8.GetString(await _box.Get("keep-me")));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("get")]
    [InlineData("status", "--no-such-option")]
    [InlineData("get", "k", "--version", "not-a-number")]
    public async Task Usage_errors_exit_with_code_1_and_name_the_help(params string[] arguments)
    {
        var result = CliSandbox.Failed(await _box.Run("", arguments), ExitCode.Usage);
        Assert.Contains("--help", result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Invalid_key_names_and_tags_exit_with_code_6()
    {
        await _box.Init();
        CliSandbox.Failed(await _box.WithPassword("value", "set", "   "), ExitCode.InvalidInput);
        CliSandbox.Failed(await _box.WithPassword("value", "set", new string('n', 257)), ExitCode.InvalidInput);
        CliSandbox.Failed(await _box.WithPassword("value", "set", "bell\u0007"), ExitCode.InvalidInput);
        CliSandbox.Failed(await _box.WithPassword("value", "set", "ok", "--tag", new string('t', 129)), ExitCode.InvalidInput);
        CliSandbox.Failed(await _box.WithPassword("", "get", "ok", "--version", "0"), ExitCode.InvalidInput);
    }

    [Fact]
    public async Task A_value_over_1_MiB_is_refused()
    {
        await _box.Init();
        // Just over the limit (the engine refuses it) and far over it (the reader stops early).
        CliSandbox.Failed(await _box.WithPassword(new byte[1024 * 1024 + 1], "set", "big", "--binary"), ExitCode.InvalidInput);
        var far = CliSandbox.Failed(await _box.WithPassword(new byte[3 * 1024 * 1024], "set", "big"), ExitCode.InvalidInput);
        Assert.Contains("1 MiB", far.Stderr);
        var limit = new byte[1024 * 1024];
        CliSandbox.Succeeded(await _box.WithPassword(limit, "set", "limit", "--binary"));
    }

    [Fact]
    public async Task A_credential_value_is_refused_by_get_with_an_explanation()
    {
        await _box.Init();
        // The CLI cannot write a credential; plant one through the engine, as PowerShell would.
        var engine = VaultEngine.Open(_box.VaultPath);
        engine.Unlock(Encoding.UTF8.GetBytes(CliSandbox.Password));
        try
        {
            using var credential = new SecretCredential("svc-user", SecretText.FromString("credential-secret-99"));
            engine.SetKey("cred", credential);
        }
        finally
        {
            engine.Lock();
        }

        var result = CliSandbox.Failed(await _box.WithPassword("", "get", "cred"), ExitCode.InvalidInput);
        Assert.Contains("PowerShell", result.Stderr);
        Assert.DoesNotContain("credential-secret-99", result.Stderr);
        Assert.Empty(result.Stdout);
        var info = RoundTripTests.ListJson(CliSandbox.Succeeded(await _box.WithPassword("", "list", "cred", "--json"))).Single();
        Assert.Equal("Credential", info.GetProperty("type").GetString());
    }

    [Fact]
    public async Task No_secret_appears_on_stderr_or_in_metadata_output()
    {
        const string secret = "Sup3r-Secret-Value-0xC0FFEE";
        await _box.Init();
        var results = new List<CliResult>
        {
            await _box.WithPassword(secret, "set", "s", "--tag", "t"),
            await _box.WithPassword(secret, "set", "s"),
            await _box.WithPassword("", "get", "s", "--version", "9"),
            await _box.WithPassword("", "list"),
            await _box.WithPassword("", "list", "--json"),
            await _box.WithPassword("", "status", "--unlock", "--json"),
            await _box.WithPassword("", "rm", "s"),
            await _box.Run(secret + "\n", "get", "s", "--password-stdin"),
            await _box.Run($"{CliSandbox.Password}\n{secret}\n", "passwd", "--password-stdin"),
            await _box.Run($"{secret}\n{CliSandbox.Password}\n", "passwd", "--password-stdin"),
        };
        Assert.Contains(results, r => r.ExitCode != 0);
        foreach (var result in results)
        {
            Assert.DoesNotContain(secret, result.Stderr);
            Assert.DoesNotContain(secret, result.StdoutText);
            Assert.DoesNotContain(CliSandbox.Password, result.Stderr);
            Assert.DoesNotContain(CliSandbox.Password, result.StdoutText);
        }
        // The value really was stored (and both password changes went through), so the checks above could have failed.
        Assert.Equal(secret + "\n", Encoding.UTF8.GetString(await _box.Get("s")));
    }
}
