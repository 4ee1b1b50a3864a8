using System.Text;
using System.Text.Json;

namespace SecureVault.Cli.Tests;

/// <summary>Each command end to end on a fresh vault: what is stored is what comes back.</summary>
public sealed class RoundTripTests : IDisposable
{
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Init_set_get_list_status_rm_round_trip()
    {
        await _box.Init();
        Assert.True(File.Exists(_box.VaultPath));

        await _box.Set("db-password", "first value", "--tag", "prod", "--tag", "db", "--service", "postgres", "--description", "main database");
        await _box.Set("DB-PASSWORD", "second value");
        await _box.Set("api-key", "abc");

        Assert.Equal("second value\n", Encoding.UTF8.GetString(await _box.Get("db-password")));
        Assert.Equal("first value\n", Encoding.UTF8.GetString(await _box.Get("db-password", "--version", "1")));

        var keys = ListJson(CliSandbox.Succeeded(await _box.WithPassword("", "list", "--json")));
        Assert.Equal(["api-key", "db-password"], keys.Select(k => k.GetProperty("name").GetString()));
        var db = keys[1];
        Assert.Equal("String", db.GetProperty("type").GetString());
        Assert.Equal(2, db.GetProperty("version").GetInt32());
        Assert.Equal([1, 2], db.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(["prod", "db"], db.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("postgres", db.GetProperty("service").GetString());
        Assert.Equal("main database", db.GetProperty("description").GetString());
        Assert.True(DateTime.Parse(db.GetProperty("updated").GetString()!).Year >= 2024);

        var status = JsonDocument.Parse(CliSandbox.Succeeded(await _box.Run("", "status", "--json")).StdoutText).RootElement;
        Assert.Equal(_box.VaultPath, status.GetProperty("vault").GetString());
        Assert.Equal(2, status.GetProperty("keyCount").GetInt64());
        Assert.Equal(1, status.GetProperty("formatVersion").GetInt32());
        Assert.True(status.GetProperty("isLocked").GetBoolean());
        Assert.Contains("m=1 MiB", status.GetProperty("kdf").GetString());

        CliSandbox.Succeeded(await _box.WithPassword("", "rm", "db-password", "--force"));
        CliSandbox.Failed(await _box.WithPassword("", "get", "db-password"), ExitCode.NotFound);
        Assert.Equal(["api-key"], ListJson(CliSandbox.Succeeded(await _box.WithPassword("", "list", "--json"))).Select(k => k.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Binary_values_round_trip_byte_for_byte()
    {
        await _box.Init();
        // Every byte value, ending in the newlines that text mode would strip.
        byte[] value = [.. Enumerable.Range(0, 256).Select(i => (byte)i), .. Enumerable.Range(0, 256).Select(i => (byte)(255 - i)), (byte)'\r', (byte)'\n'];
        CliSandbox.Succeeded(await _box.WithPassword(value, "set", "blob", "--binary"));

        Assert.Equal(value, await _box.Get("blob"));
        var info = ListJson(CliSandbox.Succeeded(await _box.WithPassword("", "list", "blob", "--json"))).Single();
        Assert.Equal("ByteArray", info.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Text_loses_exactly_one_trailing_newline_and_get_adds_one_unless_told_not_to()
    {
        await _box.Init();
        await _box.Set("unix", "line one\nline two\n\n");
        await _box.Set("windows", "value\r\n");
        await _box.Set("bare", "no newline");

        Assert.Equal("line one\nline two\n\n", Encoding.UTF8.GetString(await _box.Get("unix")));
        Assert.Equal("value", Encoding.UTF8.GetString(await _box.Get("windows", "--no-newline")));
        Assert.Equal("no newline", Encoding.UTF8.GetString(await _box.Get("bare", "-n")));
    }

    [Fact]
    public async Task Text_that_is_not_utf8_is_refused_and_points_to_binary()
    {
        await _box.Init();
        var result = CliSandbox.Failed(await _box.WithPassword(new byte[] { 0x66, 0xFF, 0xFE, 0x6F }, "set", "bad"), ExitCode.InvalidInput);
        Assert.Contains("--binary", result.Stderr);
        CliSandbox.Failed(await _box.WithPassword("", "get", "bad"), ExitCode.NotFound);
    }

    [Fact]
    public async Task List_filters_by_pattern_tag_and_service_and_prints_a_table()
    {
        await _box.Init();
        await _box.Set("prod-db", "1", "--tag", "prod", "--service", "postgres");
        await _box.Set("prod-api", "2", "--tag", "prod", "--service", "stripe");
        await _box.Set("test-db", "3", "--tag", "test", "--service", "postgres");

        async Task<string[]> Names(params string[] options) =>
            ListJson(CliSandbox.Succeeded(await _box.WithPassword("", ["list", .. options, "--json"]))).Select(k => k.GetProperty("name").GetString()!).ToArray();

        Assert.Equal(["prod-api", "prod-db"], await Names("prod-*"));
        Assert.Equal(["prod-db", "test-db"], await Names("--service", "postgres"));
        Assert.Equal(["test-db"], await Names("--tag", "test"));
        Assert.Empty(await Names("nothing-*"));

        var table = CliSandbox.Succeeded(await _box.WithPassword("", "list")).StdoutLines;
        Assert.StartsWith("NAME", table[0]);
        Assert.Equal(4, table.Length);
        Assert.Contains(table, line => line.StartsWith("test-db ") && line.Contains("postgres") && line.EndsWith("test"));
    }

    [Fact]
    public async Task Status_with_unlock_checks_the_password_and_reports_the_session()
    {
        await _box.Init();
        var status = JsonDocument.Parse(CliSandbox.Succeeded(await _box.WithPassword("", "status", "--unlock", "--json")).StdoutText).RootElement;
        Assert.False(status.GetProperty("isLocked").GetBoolean());
        Assert.Equal("Admin", status.GetProperty("role").GetString());
        Assert.True(status.GetProperty("idleTimeoutSeconds").GetInt64() > 0);

        CliSandbox.Failed(await _box.Run("not the password\n", "status", "--unlock", "--password-stdin"), ExitCode.Authentication);
    }

    [Fact]
    public async Task A_named_vault_resolves_under_SECUREVAULT_HOME_and_the_default_under_SECUREVAULT_VAULT()
    {
        // No --vault: the name comes from SECUREVAULT_VAULT and lands in SECUREVAULT_HOME.
        _box.Environment["SECUREVAULT_VAULT"] = "team";
        var created = await CliTool.RunAsync(_box.Environment, Encoding.UTF8.GetBytes(CliSandbox.Password + "\n"), ["init", "--password-stdin", .. CliSandbox.CheapKdf]);
        CliSandbox.Succeeded(created);
        Assert.True(File.Exists(Path.Combine(_box.Folder, "team.vault")));

        // An explicit --vault name wins over the environment.
        var status = await CliTool.RunAsync(_box.Environment, [], ["status", "--json", "--vault", "team"]);
        Assert.Equal(Path.Combine(_box.Folder, "team.vault"), JsonDocument.Parse(CliSandbox.Succeeded(status).StdoutText).RootElement.GetProperty("vault").GetString());
        CliSandbox.Failed(await CliTool.RunAsync(_box.Environment, [], ["status", "--vault", "other"]), ExitCode.NotFound);
    }

    internal static JsonElement[] ListJson(CliResult result) =>
        result.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();
}
