using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SecureVault.Cli.Tests;

/// <summary>
/// <c>securevault check</c>: exit code 0 on a consistent vault, 5 with one line per finding when a
/// row the signed audit log says must exist was deleted from the file; reads of it exit 5 too.
/// </summary>
public sealed class CheckTests : IDisposable
{
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task A_consistent_vault_exits_0_and_a_deleted_version_row_exits_5_with_its_finding()
    {
        await _box.Init();
        await _box.Set("alpha", "first value");
        await _box.Set("alpha", "second value");

        var clean = CliSandbox.Succeeded(await _box.WithPassword("", "check"));
        Assert.StartsWith("consistent: 1 keys, 2 versions, 1 principals", clean.StdoutText);
        var cleanJson = JsonDocument.Parse(CliSandbox.Succeeded(await _box.WithPassword("", "check", "--json")).StdoutText).RootElement;
        Assert.True(cleanJson.GetProperty("consistent").GetBoolean());
        Assert.Equal(0, cleanJson.GetProperty("findings").GetArrayLength());

        Execute("DELETE FROM secret_versions WHERE version = 1");

        var broken = await _box.WithPassword("", "check");
        Assert.Equal(ExitCode.Integrity, broken.ExitCode);
        Assert.StartsWith("Missing secret_versions 'alpha' version 1:", broken.StdoutText);
        Assert.Contains("NOT CONSISTENT: 1 finding(s)", broken.StdoutText);
        Assert.Contains("securevault restore-backup", broken.StdoutText);

        var json = JsonDocument.Parse((await _box.WithPassword("", "check", "--json")).StdoutText).RootElement;
        Assert.False(json.GetProperty("consistent").GetBoolean());
        var finding = Assert.Single(json.GetProperty("findings").EnumerateArray());
        Assert.Equal("Missing", finding.GetProperty("kind").GetString());
        Assert.Equal("secret_versions", finding.GetProperty("table").GetString());
        Assert.Equal(1, finding.GetProperty("version").GetInt32());

        var read = await _box.WithPassword("", "get", "alpha", "--version", "1");
        Assert.Equal(ExitCode.Integrity, read.ExitCode);
        Assert.Empty(read.Stdout);
        Assert.Contains("securevault check", read.Stderr);
    }

    [Fact]
    public async Task A_deleted_key_row_reads_as_an_integrity_violation_not_as_not_found()
    {
        await _box.Init();
        await _box.Set("alpha", "value");
        Execute("DELETE FROM secrets");

        Assert.Equal(ExitCode.Integrity, (await _box.WithPassword("", "get", "alpha")).ExitCode);
        Assert.Equal(ExitCode.NotFound, (await _box.WithPassword("", "get", "never-written")).ExitCode);
        var check = await _box.WithPassword("", "check");
        Assert.Equal(ExitCode.Integrity, check.ExitCode);
        Assert.Contains("Missing secrets 'alpha'", check.StdoutText);
    }

    private void Execute(string sql)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _box.VaultPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA foreign_keys = OFF; " + sql;
        Assert.True(command.ExecuteNonQuery() > 0, "the statement changed no row");
    }
}
