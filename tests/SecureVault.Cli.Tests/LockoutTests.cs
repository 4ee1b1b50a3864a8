using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SecureVault.Cli.Tests;

/// <summary>
/// Wrong passwords from many processes at the same moment: no more of them get a verdict
/// ("Authentication failed") than the lockout allowance (5 by default); the rest are refused as
/// locked out before any key derivation. The same holds for a principal name that does not exist.
/// </summary>
public sealed class LockoutTests : IDisposable
{
    private const int Processes = 12;
    private const int Allowance = 5; // the default lockout policy
    // Costly enough that the attempts of processes started together really overlap.
    private static readonly string[] SlowerKdf = ["--kdf-memory-mib", "16", "--kdf-iterations", "2", "--kdf-parallelism", "1"];
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Twelve_processes_with_wrong_passwords_at_once_get_at_most_five_verdicts_per_name()
    {
        CliSandbox.Succeeded(await _box.Run(CliSandbox.Password + "\n", ["init", "--password-stdin", .. SlowerKdf]));

        // Twelve against the real (default) principal and twelve against a name nobody has, all at once.
        var runs = Enumerable.Range(0, 2 * Processes).Select(i => i < Processes
            ? _box.Run("not the password at all\n", "get", "x", "--password-stdin")
            : _box.Run("not the password at all\n", "get", "x", "--password-stdin", "--principal", "nobody")).ToList();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.Equal(ExitCode.Authentication, r.ExitCode));
        foreach (var real in new[] { true, false })
        {
            var mine = real ? results[..Processes] : results[Processes..];
            int verdicts = mine.Count(r => r.Stderr.Contains("authentication failed", StringComparison.OrdinalIgnoreCase));
            int lockedOut = mine.Count(r => r.Stderr.Contains("locked out", StringComparison.Ordinal));
            Assert.True(verdicts + lockedOut == Processes, string.Join(" | ", mine.Select(r => r.ToString())));
            Assert.True(verdicts <= Allowance, $"{verdicts} verdicts for {(real ? "the real principal" : "an unknown name")}, allowance {Allowance}");
        }
        // The audit log agrees: each attempt recorded once, as a verdict or a refusal (read from the file:
        // the only principal is locked out now, so no command may read the log).
        var reasons = UnlockReasons();
        Assert.True(reasons.Count(r => r == "AuthenticationFailed") <= 2 * Allowance, string.Join(",", reasons));
        Assert.Equal(2 * Processes, reasons.Count(r => r is "AuthenticationFailed" or "PrincipalLockedOut"));
        // Used up: the right password is refused too, for the real principal.
        var right = await _box.WithPassword("", "get", "x");
        Assert.Equal(ExitCode.Authentication, right.ExitCode);
        Assert.Contains("locked out", right.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The reason of every unlock record, read from the vault file's audit table.</summary>
    private List<string?> UnlockReasons()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _box.VaultPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM audit_log WHERE action = 'unlock' ORDER BY seq";
        using var reader = command.ExecuteReader();
        var reasons = new List<string?>();
        while (reader.Read())
        {
            using var record = JsonDocument.Parse(Encoding.UTF8.GetString((byte[])reader[0]));
            reasons.Add(record.RootElement.TryGetProperty("reason", out var reason) ? reason.GetString() : null);
        }
        return reasons;
    }
}
