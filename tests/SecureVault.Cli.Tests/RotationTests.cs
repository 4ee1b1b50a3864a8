using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SecureVault.Cli.Tests;

/// <summary>
/// Rotation on the command line, each command as a real process: warnings and blocked reads on
/// <c>get</c>, <c>rotate</c> from stdin and with <c>--command</c>, <c>rotation</c> policies, status
/// and exemptions, <c>history</c> and <c>restore</c>. Short policies (seconds) make keys due or
/// blocked in real time.
/// </summary>
public sealed class RotationTests : IDisposable
{
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    /// <summary>Runs a command that needs the vault password and nothing else on stdin.</summary>
    private Task<CliResult> Unlocked(params string[] arguments) => _box.WithPassword("", arguments);

    private async Task<JsonElement[]> Json(params string[] arguments) =>
        RoundTripTests.ListJson(CliSandbox.Succeeded(await Unlocked([.. arguments, "--json"])));

    private async Task<string> Text(string name, params string[] options) => Encoding.UTF8.GetString(await _box.Get(name, options));

    /// <summary>A script in the sandbox, run as --command "/bin/sh 'path'".</summary>
    private string Script(string body)
    {
        var path = Path.Combine(_box.Folder, $"rotate-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, body.ReplaceLineEndings("\n"));
        return $"/bin/sh '{path}'";
    }

    private static string Future(TimeSpan ahead) => (DateTime.UtcNow + ahead).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Get_of_a_key_in_its_warning_period_warns_on_stderr_and_prints_the_value_unchanged()
    {
        await _box.Init();
        await _box.Set("due-soon", "the value");
        await _box.Set("fresh", "other value");
        // Warning as long as the maximum age: the key is in its warning period from the moment it was written.
        CliSandbox.Succeeded(await Unlocked("rotation", "policy", "due-soon", "--max-age", "30", "--warning", "30"));

        var read = CliSandbox.Succeeded(await Unlocked("get", "due-soon"));
        Assert.Equal("the value\n", read.StdoutText);
        Assert.StartsWith("securevault: warning: Key 'due-soon' is due for rotation on ", read.Stderr);
        Assert.Contains("'securevault rotate due-soon'", read.Stderr);
        Assert.DoesNotContain("Update-VaultKey", read.Stderr); // the advice is in CLI terms
        Assert.DoesNotContain("the value", read.Stderr);
        Assert.Single(read.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var quiet = CliSandbox.Succeeded(await Unlocked("get", "fresh"));
        Assert.Equal("other value\n", quiet.StdoutText);
        Assert.Equal("", quiet.Stderr);

        var status = await Json("rotation", "status");
        Assert.Equal(["due-soon", "fresh"], status.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("Warning", status[0].GetProperty("state").GetString());
        Assert.True(status[0].GetProperty("isDue").GetBoolean());
        Assert.Equal("Ok", status[1].GetProperty("state").GetString());
        Assert.Equal(["due-soon"], (await Json("rotation", "status", "--due")).Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(["fresh"], (await Json("rotation", "status", "--state", "ok")).Select(s => s.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_key_past_its_grace_is_refused_with_exit_4_until_it_is_exempted_or_rotated()
    {
        await _box.Init();
        await _box.Set("short-lived", "old secret value");
        CliSandbox.Succeeded(await Unlocked("rotation", "policy", "short-lived", "--max-age", "00:00:01", "--warning", "0", "--grace", "00:00:01"));
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // due after 1 s, blocked after 2 s

        var blocked = CliSandbox.Failed(await Unlocked("get", "short-lived"), ExitCode.AccessDenied);
        Assert.Empty(blocked.Stdout);
        Assert.Contains("key 'short-lived' has expired", blocked.Stderr);
        Assert.Contains("'securevault rotate short-lived'", blocked.Stderr);
        Assert.DoesNotContain("old secret value", blocked.Stderr);
        Assert.Equal("Blocked", (await Json("rotation", "status", "short-lived")).Single().GetProperty("state").GetString());

        // An exemption lets reads through (without a warning) until it is removed.
        var exemption = (await Json("rotation", "exempt", "--key", "short-lived", "--reason", "vendor change freeze", "--until", Future(TimeSpan.FromDays(2)))).Single();
        Assert.Equal("short-lived", exemption.GetProperty("key").GetString());
        Assert.True(exemption.GetProperty("isActive").GetBoolean());
        var exempt = CliSandbox.Succeeded(await Unlocked("get", "short-lived"));
        Assert.Equal("old secret value\n", exempt.StdoutText);
        Assert.Equal("", exempt.Stderr);
        var status = (await Json("rotation", "status", "short-lived")).Single();
        Assert.Equal("Exempt", status.GetProperty("state").GetString());
        Assert.Equal("vendor change freeze", status.GetProperty("exemptReason").GetString());

        CliSandbox.Succeeded(await Unlocked("rotation", "unexempt", exemption.GetProperty("id").GetString()!));
        CliSandbox.Failed(await Unlocked("get", "short-lived"), ExitCode.AccessDenied);

        // Rotation works on a blocked key. (With this policy the new version is blocked again after
        // 2 s, so the key goes back to the default policy before it is read.)
        CliSandbox.Succeeded(await _box.WithPassword("new secret value", "rotate", "short-lived"));
        CliSandbox.Succeeded(await Unlocked("rotation", "policy", "short-lived", "--inherit"));
        Assert.Equal("new secret value\n", await Text("short-lived"));
        Assert.Equal("old secret value\n", await Text("short-lived", "--version", "1"));
    }

    [Fact]
    public async Task Rotate_writes_a_new_version_read_like_set_and_never_creates_a_key()
    {
        await _box.Init();
        await _box.Set("api-token", "first");
        CliSandbox.Succeeded(await _box.WithPassword("second\n", "rotate", "api-token"));
        Assert.Equal("second\n", await Text("api-token"));
        Assert.Equal(2, (await Json("list", "api-token")).Single().GetProperty("version").GetInt32());

        byte[] bytes = [0, 1, 2, 0xFF, (byte)'\n'];
        CliSandbox.Succeeded(await _box.WithPassword(bytes, "rotate", "api-token", "--binary"));
        Assert.Equal(bytes, await _box.Get("api-token"));

        CliSandbox.Failed(await _box.WithPassword("value", "rotate", "no-such-key"), ExitCode.NotFound);
        CliSandbox.Failed(await Unlocked("get", "no-such-key"), ExitCode.NotFound);
    }

    [Fact]
    public async Task A_rotation_run_rotates_every_key_with_the_command_and_goes_on_past_the_ones_that_fail()
    {
        await _box.Init();
        await _box.Set("alpha", "value-alpha");
        await _box.Set("beta", "value-beta");
        await _box.Set("gamma", "value-gamma");
        await _box.Set("where-is-the-password", "value-env");
        CliSandbox.Succeeded(await _box.WithPassword(Encoding.ASCII.GetBytes("raw-bytes\n"), "set", "blob", "--binary"));
        var command = Script("""
            case "$SECUREVAULT_KEY_NAME" in
              beta) echo "beta: the upstream refused the change" >&2; exit 3 ;;
              gamma) cat >/dev/null; exit 0 ;;
              where-is-the-password) printf '%s' "${SECUREVAULT_PASSWORD_FILE:-not given}"; exit 0 ;;
            esac
            tr a-z A-Z
            """);
        // The password comes from a file here, which the command must not learn about.
        var passwordFile = Path.Combine(_box.Folder, "password");
        File.WriteAllText(passwordFile, CliSandbox.Password + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _box.Environment["SECUREVAULT_PASSWORD_FILE"] = passwordFile;

        var run = await _box.Run("", "rotate", "--command", command);

        Assert.True(run.ExitCode == ExitCode.RotationFailed, run.ToString());
        Assert.Equal(
        [
            "alpha: rotated (Ok): version 1 -> 2",
            "beta: failed (Ok): the command exited with code 3; nothing was changed",
            "blob: rotated (Ok): version 1 -> 2",
            "gamma: failed (Ok): the command printed nothing; nothing was changed",
            "where-is-the-password: rotated (Ok): version 1 -> 2",
        ], run.StdoutLines);
        Assert.Contains("beta: the upstream refused the change", run.Stderr); // the command's own stderr, passed through
        Assert.DoesNotContain("value-", run.StdoutText + run.Stderr);
        Assert.DoesNotContain("VALUE-", run.StdoutText + run.Stderr);

        _box.Environment["SECUREVAULT_PASSWORD_FILE"] = null;
        Assert.Equal("VALUE-ALPHA\n", await Text("alpha"));
        Assert.Equal("value-beta\n", await Text("beta"));
        Assert.Equal("value-gamma\n", await Text("gamma"));
        Assert.Equal("not given\n", await Text("where-is-the-password"));
        Assert.Equal(Encoding.ASCII.GetBytes("RAW-BYTES\n"), await _box.Get("blob")); // bytes in, bytes out: the newline kept
        Assert.Equal("ByteArray", (await Json("list", "blob")).Single().GetProperty("type").GetString());

        // JSON Lines, one key by pattern; a run where nothing fails exits 0.
        var again = (await Json("rotate", "al*", "--command", command)).Single();
        Assert.Equal("alpha", again.GetProperty("name").GetString());
        Assert.Equal("Rotated", again.GetProperty("outcome").GetString());
        Assert.Equal(2, again.GetProperty("previousVersion").GetInt32());
        Assert.Equal(3, again.GetProperty("newVersion").GetInt32());
        Assert.Equal(JsonValueKind.Null, again.GetProperty("reason").ValueKind);

        var failed = await _box.WithPassword("", "rotate", "beta", "--command", command, "--json");
        Assert.Equal(ExitCode.RotationFailed, failed.ExitCode);
        var line = RoundTripTests.ListJson(failed).Single();
        Assert.Equal("Failed", line.GetProperty("outcome").GetString());
        Assert.Equal("RotationFailed", line.GetProperty("errorId").GetString());
        Assert.Contains("exited with code 3", line.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Due_selects_the_keys_due_and_what_if_lists_them_without_running_the_command()
    {
        await _box.Init();
        await _box.Set("current", "value-current");
        await _box.Set("due", "value-due");
        CliSandbox.Succeeded(await Unlocked("rotation", "policy", "due", "--max-age", "10", "--warning", "10"));
        // A command that would leave a trace if --what-if ran it.
        var marker = Path.Combine(_box.Folder, "ran");
        var command = Script($"touch '{marker}'\ntr a-z A-Z\n");

        var listed = await Json("rotate", "--due", "--what-if", "--command", command);
        var only = Assert.Single(listed);
        Assert.Equal("due", only.GetProperty("name").GetString());
        Assert.Equal("Skipped", only.GetProperty("outcome").GetString());
        Assert.True(only.GetProperty("whatIf").GetBoolean());
        Assert.Equal("Warning", only.GetProperty("stateBefore").GetString());
        Assert.False(File.Exists(marker));
        Assert.Equal("value-due\n", await Text("due"));
        Assert.Equal(["due: would rotate (Warning): version 1 would be replaced"],
            CliSandbox.Succeeded(await Unlocked("rotate", "--due", "--what-if", "--command", command)).StdoutLines);

        var run = CliSandbox.Succeeded(await Unlocked("rotate", "--due", "--command", command));
        Assert.Equal(["due: rotated (Warning): version 1 -> 2"], run.StdoutLines);
        Assert.True(File.Exists(marker));
        Assert.Equal("VALUE-DUE\n", await Text("due"));
        Assert.Equal("value-current\n", await Text("current"));
    }

    [Fact]
    public async Task A_command_that_runs_too_long_is_killed_and_its_key_fails()
    {
        await _box.Init();
        await _box.Set("slow", "value-slow");
        var clock = Stopwatch.StartNew();
        var run = await Unlocked("rotate", "slow", "--command", "sleep 30", "--timeout", "1");
        Assert.True(run.ExitCode == ExitCode.RotationFailed, run.ToString());
        Assert.Equal(["slow: failed (Ok): the command did not finish within 1 s and was stopped; nothing was changed"], run.StdoutLines);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"The run took {clock.Elapsed}: the command was not stopped.");
        Assert.Equal("value-slow\n", await Text("slow"));
    }

    [Theory]
    [InlineData("without a shell", "rotate", "--command", "tr a-z A-Z | cat")]
    [InlineData("without a shell", "rotate", "--command", "generate > out")]
    [InlineData("without its closing", "rotate", "--command", "sh -c 'echo")]
    [InlineData("was found in PATH", "rotate", "--command", "no-such-program-4f1c")]
    [InlineData("needs a program", "rotate", "--command", "  ")]
    [InlineData("add --command", "rotate", "--due")]
    [InlineData("add --command", "rotate", "k", "--what-if")]
    [InlineData("add --command", "rotate", "k", "--timeout", "5")]
    [InlineData("name the key", "rotate")]
    [InlineData("--binary applies", "rotate", "--command", "cat", "--binary")]
    [InlineData("--max-age takes", "rotation", "policy", "--max-age", "soon")]
    [InlineData("--grace takes", "rotation", "policy", "k", "--grace", "-1")]
    [InlineData("--inherit applies to keys", "rotation", "policy", "--inherit")]
    [InlineData("--state takes", "rotation", "status", "--state", "sideways")]
    [InlineData("either --service or --key", "rotation", "exempt", "--reason", "r", "--until", "2099-01-01")]
    [InlineData("either --service or --key", "rotation", "exempt", "--service", "s", "--key", "k", "--reason", "r", "--until", "2099-01-01")]
    [InlineData("--until takes", "rotation", "exempt", "--key", "k", "--reason", "r", "--until", "30d")]
    [InlineData("not an exemption id", "rotation", "unexempt", "42")]
    [InlineData("Required command", "rotation")]
    public async Task Command_lines_that_cannot_work_fail_with_usage_errors_before_any_password_is_read(string message, params string[] arguments)
    {
        // No vault and no password source: a command that got as far as opening the vault would fail with exit code 2.
        var result = CliSandbox.Failed(await _box.Run("", arguments), ExitCode.Usage);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public async Task History_lists_versions_newest_first_and_restore_makes_an_old_value_current_again()
    {
        await _box.Init();
        await _box.Set("db-password", "v1");
        await _box.Set("db-password", "v2");
        CliSandbox.Succeeded(await _box.WithPassword("v3", "rotate", "db-password"));

        var history = await Json("history", "db-password");
        Assert.Equal([3, 2, 1], history.Select(h => h.GetProperty("version").GetInt32()));
        Assert.Equal([true, false, false], history.Select(h => h.GetProperty("isCurrent").GetBoolean()));
        Assert.All(history, h => Assert.False(string.IsNullOrEmpty(h.GetProperty("createdBy").GetString())));
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("readableUntil").ValueKind);
        // A replaced version stays readable for the default grace (7 days) after it was replaced.
        var readableUntil = DateTime.Parse(history[1].GetProperty("readableUntil").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.InRange(readableUntil - DateTime.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7.1));
        var table = CliSandbox.Succeeded(await Unlocked("history", "db-password")).StdoutLines;
        Assert.StartsWith("VERSION", table[0]);
        Assert.Equal(4, table.Length);

        CliSandbox.Succeeded(await Unlocked("restore", "db-password", "--version", "1"));
        Assert.Equal("v1\n", await Text("db-password"));
        Assert.Equal("v3\n", await Text("db-password", "--version", "3"));
        Assert.Equal([4, 3, 2, 1], (await Json("history", "db-password")).Select(h => h.GetProperty("version").GetInt32()));

        CliSandbox.Failed(await Unlocked("restore", "db-password", "--version", "9"), ExitCode.NotFound);
        CliSandbox.Failed(await Unlocked("history", "no-such-key"), ExitCode.NotFound);
        CliSandbox.Failed(await _box.Run("", "restore", "db-password"), ExitCode.Usage); // --version is required
    }

    [Fact]
    public async Task A_replaced_version_past_its_grace_is_refused_with_exit_4_and_restore_still_brings_it_back()
    {
        await _box.Init();
        await _box.Set("k", "v1");
        CliSandbox.Succeeded(await Unlocked("rotation", "policy", "k", "--grace", "00:00:01"));
        CliSandbox.Succeeded(await _box.WithPassword("v2", "rotate", "k"));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // version 1 was replaced more than the grace ago

        var retired = CliSandbox.Failed(await Unlocked("get", "k", "--version", "1"), ExitCode.AccessDenied);
        Assert.Empty(retired.Stdout);
        Assert.Contains("'securevault restore k --version 1'", retired.Stderr);
        Assert.Equal("v2\n", await Text("k"));

        CliSandbox.Succeeded(await Unlocked("restore", "k", "--version", "1"));
        Assert.Equal("v1\n", await Text("k"));
    }

    [Fact]
    public async Task Policies_show_and_change_the_default_and_single_keys()
    {
        await _box.Init();
        await _box.Set("k", "value");

        var policy = (await Json("rotation", "policy")).Single();
        Assert.Equal("(default)", policy.GetProperty("scope").GetString());
        Assert.Equal(TimeSpan.FromDays(90).TotalSeconds, policy.GetProperty("maxAgeSeconds").GetDouble());
        Assert.Equal(TimeSpan.FromDays(14).TotalSeconds, policy.GetProperty("warningSeconds").GetDouble());
        Assert.Equal(TimeSpan.FromDays(7).TotalSeconds, policy.GetProperty("graceSeconds").GetDouble());
        Assert.Equal(10, policy.GetProperty("versionsKept").GetInt32());

        var changed = (await Json("rotation", "policy", "--max-age", "30", "--versions-kept", "5")).Single();
        Assert.Equal(TimeSpan.FromDays(30).TotalSeconds, changed.GetProperty("maxAgeSeconds").GetDouble());
        Assert.Equal(5, changed.GetProperty("versionsKept").GetInt32());

        var own = (await Json("rotation", "policy", "k", "--grace", "1.12:00:00")).Single();
        Assert.Equal("k", own.GetProperty("scope").GetString());
        Assert.Equal(TimeSpan.FromHours(36).TotalSeconds, own.GetProperty("graceSeconds").GetDouble());
        Assert.Equal(TimeSpan.FromDays(30).TotalSeconds, own.GetProperty("maxAgeSeconds").GetDouble()); // inherited from the new default
        Assert.Equal(["Grace"], own.GetProperty("overrides").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(["Grace"], (await Json("rotation", "policy", "k")).Single().GetProperty("overrides").EnumerateArray().Select(o => o.GetString()));

        var inherited = (await Json("rotation", "policy", "k", "--inherit")).Single();
        Assert.Empty(inherited.GetProperty("overrides").EnumerateArray());
        Assert.Equal(TimeSpan.FromDays(7).TotalSeconds, inherited.GetProperty("graceSeconds").GetDouble());

        var table = CliSandbox.Succeeded(await Unlocked("rotation", "policy")).StdoutLines;
        Assert.StartsWith("SCOPE", table[0]);
        Assert.Contains("30 days", table[1]);

        // Out of range: the engine's refusal, exit 6.
        CliSandbox.Failed(await Unlocked("rotation", "policy", "--max-age", "10", "--warning", "20"), ExitCode.InvalidInput);
    }

    [Fact]
    public async Task Service_exemptions_cover_the_services_keys_and_are_listed_until_removed()
    {
        await _box.Init();
        await _box.Set("pg-main", "value", "--service", "postgres-main");
        await _box.Set("other", "value", "--service", "redis");

        var exemption = (await Json("rotation", "exempt", "--service", "postgres*", "--reason", "migration in progress", "--until", Future(TimeSpan.FromDays(30)))).Single();
        Assert.Equal("postgres*", exemption.GetProperty("service").GetString());
        Assert.Equal(JsonValueKind.Null, exemption.GetProperty("key").ValueKind);
        Assert.Equal("migration in progress", exemption.GetProperty("reason").GetString());
        var id = exemption.GetProperty("id").GetString()!;

        var states = (await Json("rotation", "status")).ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("state").GetString());
        Assert.Equal("Exempt", states["pg-main"]);
        Assert.Equal("Ok", states["other"]);
        Assert.Equal([id], (await Json("rotation", "exemptions")).Select(e => e.GetProperty("id").GetString()));
        Assert.Contains("service postgres*", CliSandbox.Succeeded(await Unlocked("rotation", "exemptions")).StdoutText);

        // Refused by the engine: an end in the past, a key that does not exist.
        CliSandbox.Failed(await Unlocked("rotation", "exempt", "--service", "x", "--reason", "r", "--until", "2001-01-01"), ExitCode.InvalidInput);
        CliSandbox.Failed(await Unlocked("rotation", "exempt", "--key", "missing", "--reason", "r", "--until", Future(TimeSpan.FromDays(1))), ExitCode.NotFound);

        CliSandbox.Succeeded(await Unlocked("rotation", "unexempt", id));
        Assert.Empty(await Json("rotation", "exemptions", "--all"));
        Assert.Equal("Ok", (await Json("rotation", "status", "pg-main")).Single().GetProperty("state").GetString());
        CliSandbox.Failed(await Unlocked("rotation", "unexempt", id), ExitCode.InvalidInput);
    }
}
