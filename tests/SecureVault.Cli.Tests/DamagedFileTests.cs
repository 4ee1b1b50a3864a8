using Microsoft.Data.Sqlite;

namespace SecureVault.Cli.Tests;

/// <summary>
/// Damage to numbers in the vault file is an integrity error (exit 5, "restore from a backup"),
/// not an unexpected failure (exit 8): a number beyond 32 bits, or text where a number belongs.
/// </summary>
public sealed class DamagedFileTests : IDisposable
{
    private const string Secret = "Damaged-File-Secret-0xBADC0DE";
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Theory]
    [InlineData("UPDATE secrets SET current_version = 1099511627776")] // 2^40
    [InlineData("UPDATE secret_versions SET value_type = 1099511627776")]
    [InlineData("UPDATE principal_lockout SET locked_until_ms = 4611686018427387904")] // 2^62
    public async Task A_damaged_number_exits_5_and_says_to_restore_from_a_backup(string damage)
    {
        await _box.Init();
        await _box.Set("k", Secret);
        // A wrong password gives the owner a lockout row to damage.
        Assert.Equal(ExitCode.Authentication, (await _box.Run("wrong password\n", "get", "k", "--password-stdin")).ExitCode);
        Tamper(damage);

        var result = await _box.WithPassword("", "get", "k");
        Assert.Equal(ExitCode.Integrity, result.ExitCode);
        Assert.Contains("backup", result.Stderr);
        Assert.DoesNotContain(Secret, result.StdoutText + result.Stderr);
    }

    private void Tamper(string sql)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _box.VaultPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(command.ExecuteNonQuery() > 0, "the damaging statement changed no row");
    }
}
