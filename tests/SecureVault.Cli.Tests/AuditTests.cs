using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace SecureVault.Cli.Tests;

/// <summary>
/// <c>securevault audit</c>: verify (exit code 9 on a broken chain, naming the record), head
/// and anchors, the log as a table and as JSON Lines, alerts. Tampering is done on the real
/// vault file with SQLite, as someone who can write the file but knows no key would do it.
/// </summary>
public sealed partial class AuditTests : IDisposable
{
    private const string Secret = "Audit-Secret-Value-0xFEEDFACE";
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Verify_of_an_untouched_chain_exits_0_and_counts_the_records()
    {
        await _box.Init();
        await _box.Set("k", Secret);
        await _box.Get("k");

        var text = CliSandbox.Succeeded(await _box.WithPassword("", "audit", "verify"));
        var match = ValidLine().Match(text.StdoutText);
        Assert.True(match.Success, text.StdoutText);
        long counted = long.Parse(match.Groups[1].Value);

        var json = JsonDocument.Parse(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "verify", "--json")).StdoutText).RootElement;
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.Equal("None", json.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("firstBadSeq").ValueKind);
        // The first verification left its own records behind (unlock, verify, lock): the second sees exactly three more.
        Assert.Equal(counted + 3, json.GetProperty("recordCount").GetInt64());
        Assert.Equal(json.GetProperty("headSeq").GetInt64(), json.GetProperty("recordCount").GetInt64());
        Assert.True(json.GetProperty("signaturesChecked").GetInt64() >= 1);
    }

    [Fact]
    public async Task A_record_altered_in_the_file_fails_verify_with_exit_code_9_and_its_seq()
    {
        await _box.Init();
        await _box.Set("k", Secret);
        await _box.Get("k");
        long setSeq = LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json", "--action", "set"))).Single().GetProperty("seq").GetInt64();

        // Turn the record of the Set into a denied one: still canonical JSON, but not what was hashed and signed.
        Tamper("UPDATE audit_log SET record = CAST(replace(CAST(record AS TEXT), '\"outcome\":\"success\"', '\"outcome\":\"denied\"') AS BLOB) WHERE seq = $seq", setSeq);

        var result = await _box.WithPassword("", "audit", "verify");
        Assert.Equal(ExitCode.AuditInvalid, result.ExitCode);
        Assert.StartsWith($"INVALID at record {setSeq}: HashMismatch (", result.StdoutText);

        var json = JsonDocument.Parse((await _box.WithPassword("", "audit", "verify", "--json")).StdoutText).RootElement;
        Assert.False(json.GetProperty("valid").GetBoolean());
        Assert.Equal(setSeq, json.GetProperty("firstBadSeq").GetInt64());
        Assert.Equal("HashMismatch", json.GetProperty("reason").GetString());

        // The failed verification raised an alert.
        var alerts = LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "alerts", "--json")));
        Assert.Contains(alerts, a => a.GetProperty("kind").GetString() == "AuditVerificationFailed" && a.GetProperty("severity").GetString() == "Critical");
        Assert.Contains("AuditVerificationFailed", CliSandbox.Succeeded(await _box.WithPassword("", "audit", "alerts")).StdoutText);
    }

    [Fact]
    public async Task A_chain_truncated_below_an_exported_head_fails_verify_with_the_anchor()
    {
        await _box.Init();
        await _box.Set("k", Secret);
        var anchorPath = Path.Combine(_box.Folder, "head.json");
        CliSandbox.Succeeded(await _box.WithPassword("", "audit", "head", "--out", anchorPath));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(anchorPath));
        long anchorSeq = JsonDocument.Parse(File.ReadAllBytes(anchorPath)).RootElement.GetProperty("seq").GetInt64();

        var intact = CliSandbox.Succeeded(await _box.WithPassword("", "audit", "verify", "--anchor", anchorPath));
        Assert.Contains($"the anchor's record {anchorSeq} is in the chain", intact.StdoutText);

        // An existing anchor file is kept unless --force is given.
        CliSandbox.Failed(await _box.WithPassword("", "audit", "head", "--out", anchorPath), ExitCode.InvalidInput);
        Assert.Equal(anchorSeq, JsonDocument.Parse(File.ReadAllBytes(anchorPath)).RootElement.GetProperty("seq").GetInt64());

        // Cut the log from two records before the anchored one: even after the next run's own records the chain ends short of it.
        Tamper("DELETE FROM audit_log WHERE seq >= $seq", anchorSeq - 2);
        var truncated = await _box.WithPassword("", "audit", "verify", "--anchor", anchorPath);
        Assert.Equal(ExitCode.AuditInvalid, truncated.ExitCode);
        Assert.Matches(@"^INVALID at record \d+: TruncatedBelowAnchor \(", truncated.StdoutText);
        // This profile had seen a longer log: the unlock itself warned that the vault went backwards.
        Assert.Contains("gone backwards", truncated.Stderr);
        Assert.Contains("securevault audit verify --anchor", truncated.Stderr);

        // Without the anchor the shortened chain is consistent: only the anchor (or the profile's memory) can tell.
        CliSandbox.Succeeded(await _box.WithPassword("", "audit", "verify"));
        CliSandbox.Succeeded(await _box.WithPassword("", "audit", "head", "--out", anchorPath, "--force"));
        CliSandbox.Succeeded(await _box.WithPassword("", "audit", "verify", "--anchor", anchorPath));
    }

    [Fact]
    public async Task Log_json_lines_hold_the_operations_run_before_and_no_secret()
    {
        await _box.Init();
        var results = new List<CliResult>
        {
            await _box.WithPassword(Secret, "set", "app/token"),
            await _box.WithPassword("", "get", "app/token"),
            await _box.WithPassword("", "get", "absent"),
            await _box.WithPassword("", "list"),
            await _box.WithPassword("", "rm", "app/token", "--force"),
            await _box.Run("not the password\n", "status", "--unlock", "--password-stdin"),
        };
        Assert.Equal(ExitCode.NotFound, results[2].ExitCode);
        Assert.Equal(ExitCode.Authentication, results[5].ExitCode);
        // The one output that must hold the value; the checks at the end cover every other one.
        Assert.Equal(Secret + "\n", results[1].StdoutText);
        results.RemoveAt(1);

        var log = CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json"));
        var records = LogLines(log);
        var actions = records.Select(r => r.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "create", "unlock", "set", "get", "list", "remove", "lock" }) Assert.Contains(action, actions);
        Assert.Equal(records.Select(r => r.GetProperty("seq").GetInt64()).Order(), records.Select(r => r.GetProperty("seq").GetInt64()));
        Assert.Contains(records, r => r.GetProperty("action").GetString() == "set" && r.GetProperty("name").GetString() == "app/token" && r.GetProperty("outcome").GetString() == "success");
        Assert.Contains(records, r => r.GetProperty("action").GetString() == "get" && r.GetProperty("outcome").GetString() == "error" && r.GetProperty("reason").GetString() == "KeyNotFound");
        // The wrong password: recorded, unsigned (no key was opened to sign with), denied.
        Assert.Contains(records, r => r.GetProperty("action").GetString() == "unlock" && r.GetProperty("outcome").GetString() == "denied"
            && r.GetProperty("reason").GetString() == "AuthenticationFailed" && !r.GetProperty("signed").GetBoolean());

        // Filters reach the engine.
        var sets = LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json", "--action", "set")));
        Assert.Equal("set", Assert.Single(sets).GetProperty("action").GetString());
        var named = LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json", "--name", "APP/*")));
        Assert.Equal(["get", "remove", "set"], named.Select(r => r.GetProperty("action").GetString()).Order());
        Assert.Equal(2, LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json", "--last", "2"))).Count);
        var denied = LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json", "--outcome", "denied")));
        Assert.NotEmpty(denied);
        Assert.All(denied, r => Assert.Equal("denied", r.GetProperty("outcome").GetString()));
        Assert.Empty(LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json", "--since", "2000-01-01", "--until", "2000-01-02"))));
        Assert.NotEmpty(LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log", "--json", "--since", "1h"))));

        var table = CliSandbox.Succeeded(await _box.WithPassword("", "audit", "log"));
        Assert.StartsWith("SEQ", table.StdoutText);
        Assert.Contains("app/token", table.StdoutText);
        results.AddRange([log, table, await _box.WithPassword("", "audit", "alerts"), await _box.WithPassword("", "audit", "verify", "--json")]);

        foreach (var result in results)
        {
            Assert.DoesNotContain(Secret, result.StdoutText);
            Assert.DoesNotContain(Secret, result.Stderr);
            Assert.DoesNotContain(CliSandbox.Password, result.StdoutText);
            Assert.DoesNotContain(CliSandbox.Password, result.Stderr);
        }
    }

    [Fact]
    public async Task Repeated_wrong_passwords_raise_an_alert()
    {
        await _box.Init();
        for (int i = 0; i < 3; i++) Assert.Equal(ExitCode.Authentication, (await _box.Run("wrong password\n", "status", "--unlock", "--password-stdin")).ExitCode);
        var alerts = LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "alerts", "--json", "--since", "1h")));
        var alert = Assert.Single(alerts, a => a.GetProperty("kind").GetString() == "RepeatedFailedUnlock");
        Assert.Equal(3, alert.GetProperty("count").GetInt32());
        // --since reaches the engine: nothing was raised from this moment on.
        Assert.Empty(LogLines(CliSandbox.Succeeded(await _box.WithPassword("", "audit", "alerts", "--json", "--since", "0s"))));
    }

    [Theory]
    [InlineData("audit")]
    [InlineData("audit", "log", "--outcome", "maybe")]
    [InlineData("audit", "head")]
    public async Task Audit_usage_errors_exit_with_code_1_and_name_the_subcommand_help(params string[] arguments)
    {
        await _box.Init();
        var result = CliSandbox.Failed(await _box.Run("", arguments), ExitCode.Usage);
        var command = string.Join(' ', arguments.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)));
        Assert.Contains($"securevault {command} --help", result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Bad_input_is_refused_before_the_password_is_asked_for()
    {
        await _box.Init();
        // No password source at all: a command that got as far as asking would fail with exit code 1 instead.
        var last = CliSandbox.Failed(await _box.Run("", "audit", "log", "--last", "0"), ExitCode.InvalidInput);
        Assert.Contains("--last", last.Stderr);
        var since = CliSandbox.Failed(await _box.Run("", "audit", "log", "--since", "last tuesday"), ExitCode.Usage);
        Assert.Contains("--since takes a date and time", since.Stderr);
        CliSandbox.Failed(await _box.Run("", "audit", "alerts", "--since", "7 days"), ExitCode.Usage);
        var missing = CliSandbox.Failed(await _box.Run("", "audit", "verify", "--anchor", Path.Combine(_box.Folder, "no-such-anchor.json")), ExitCode.InvalidInput);
        Assert.Contains("does not exist", missing.Stderr);
        var forged = Path.Combine(_box.Folder, "forged.json");
        File.WriteAllText(forged, "{\"format\":\"SecureVault audit head v1\"}");
        CliSandbox.Failed(await _box.Run("", "audit", "verify", "--anchor", forged), ExitCode.InvalidInput);
    }

    /// <summary>Runs one statement on the vault file directly, with <c>$seq</c> bound, and checks that it changed something.</summary>
    private void Tamper(string sql, long seq)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _box.VaultPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$seq", seq);
        Assert.True(command.ExecuteNonQuery() > 0, "the tampering statement changed no row");
    }

    /// <summary>Each stdout line parsed as one JSON object (JSON Lines).</summary>
    private static List<JsonElement> LogLines(CliResult result) =>
        result.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();

    [GeneratedRegex(@"^valid: (\d+) records\n$")]
    private static partial Regex ValidLine();
}
