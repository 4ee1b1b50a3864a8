using SecureVault.Access;
using SecureVault.Identity;

namespace SecureVault.Tests;

/// <summary>
/// Numbers and cells damaged in the file (an integer beyond 32 bits, a time beyond what a date can
/// hold, text or NULL where an integer or blob belongs) are integrity errors where they are read,
/// never OverflowException, ArgumentOutOfRangeException or InvalidOperationException; and an Admin
/// can still clear a principal whose lockout row is damaged. (A few cases, where a MAC or a tag
/// covers the cell, were refused before the typed reads too; they guard that it stays so.)
/// </summary>
public sealed class DamagedNumberTests : IDisposable
{
    private const long Beyond32Bits = 1L << 40;
    private readonly TestVault _vault = new();

    public DamagedNumberTests()
    {
        Secrets.WriteText(_vault.Engine, "k", "damaged-number-value-1");
        Secrets.WriteText(_vault.Engine, "k", "damaged-number-value-2");
        _vault.Engine.NewPrincipal("user", Role.User, TestVault.Password, TestVault.CheapKdf);
        _vault.Engine.GrantAccess("k", "user", KeyPermissions.Read);
        // One failed attempt gives "user" a lockout row.
        _vault.Engine.Lock();
        Assert.Throws<VaultAuthenticationException>(() => _vault.Engine.Unlock(TestVault.WrongPassword, "user"));
        _vault.Engine.Unlock(TestVault.Password, "owner");
    }

    public void Dispose() => _vault.Dispose();

    public static TheoryData<string, string, string> Damages => new()
    {
        // table, SET clause, what then fails (see Exercise)
        { "secret_versions", "value_type = " + Beyond32Bits, "read" },
        { "secret_versions", "value_type = 'damaged'", "read" },
        { "secret_versions", "version = " + Beyond32Bits + " WHERE version = 1", "history" },
        { "secrets", "current_version = " + Beyond32Bits, "list" },
        { "secrets", "current_version = 'damaged'", "list" },
        { "keyslots", "kind = " + Beyond32Bits, "unlock" },
        { "keyslots", "updated_ms = " + (1L << 62), "principals" },
        { "principals", "role = " + Beyond32Bits, "unlock" },
        { "principals", "disabled = 7", "unlock" },
        { "principals", "name = x'00ff'", "unlock" },
        { "grants", "permissions = " + Beyond32Bits, "access" },
        { "grants", "expires_ms = " + (1L << 62), "access" },
        { "vault_header", "format_version = " + Beyond32Bits, "unlock" },
        { "principal_lockout", "failures = " + Beyond32Bits, "unlock-user" },
        { "principal_lockout", "lockouts = " + Beyond32Bits, "unlock-user" },
        { "principal_lockout", "locked_until_ms = " + (1L << 62), "unlock-user" },
        { "audit_log", "time_ms = " + (1L << 62), "audit" },
        // Found by StoreFuzzTests: the newest record's time as text dropped out of the log's query,
        // so the next record took its number (a UNIQUE failure, StorageError).
        { "audit_log", "time_ms = 'damaged' WHERE seq = (SELECT MAX(seq) FROM audit_log)", "unlock" },
        { "sender_keys", "public_key = 'damaged'", "read" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_number_or_cell_is_an_integrity_error(string table, string set, string operation)
    {
        var engine = _vault.Modify(f => Assert.True(f.Execute($"UPDATE {table} SET {set}") > 0));
        var e = Assert.Throws<VaultIntegrityException>(() => Exercise(engine, operation));
        Assert.Equal("IntegrityViolation", e.ErrorId);
        Assert.DoesNotContain("damaged-number-value", e.ToString());
    }

    public static TheoryData<string, string, string> Nulls => new()
    {
        { "secrets", "current_version", "list" },
        { "secret_versions", "nonce", "read" },
        { "keyslots", "updated_ms", "principals" },
        { "principals", "name", "unlock" },
        { "vault_header", "format_version", "unlock" },
        { "principal_lockout", "locked_until_ms", "unlock-user" },
        // Found by StoreFuzzTests on the engine before the typed reads (InvalidOperationException):
        { "audit_log", "action", "verify" },
        { "principals", "mk_sender", "unlock" },
        { "principals", "created_ms", "unlock" },
        { "secret_versions", "created_ms", "read" },
    };

    [Theory]
    [MemberData(nameof(Nulls))]
    public void A_NULL_where_the_schema_forbids_one_is_an_integrity_error(string table, string column, string operation)
    {
        _vault.Modify(f => f.AllowNulls(table));
        var engine = _vault.Modify(f => Assert.True(f.Execute($"UPDATE {table} SET {column} = NULL") > 0));
        var e = Assert.Throws<VaultIntegrityException>(() => Exercise(engine, operation));
        Assert.Equal("IntegrityViolation", e.ErrorId);
    }

    private static void Exercise(VaultEngine engine, string operation)
    {
        if (operation == "unlock-user")
        {
            engine.Unlock(TestVault.Password, "user");
            return;
        }
        engine.Unlock(TestVault.Password, "owner");
        switch (operation)
        {
            case "unlock": break;
            case "read": engine.GetKey("k").Dispose(); break;
            case "history": engine.GetKeyHistory("k"); break;
            case "list": engine.ListKeys(); break;
            case "principals": engine.GetPrincipals(); break;
            case "access": engine.GetAccess(); break;
            case "audit": engine.GetAuditLog(); break;
            case "verify": engine.VerifyAudit(); break;
            default: throw new ArgumentException(operation);
        }
    }

    [Theory]
    [InlineData("locked_until_ms = 4611686018427387904")] // 2^62
    [InlineData("failures = 1099511627776")] // 2^40
    [InlineData("lockouts = 'damaged'")]
    public void An_Admin_clears_a_damaged_lockout_row_and_the_principal_can_unlock_again(string set)
    {
        // The owner's unlocks keep a row too (the attempt is counted before the KDF): damage the user's only.
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute($"UPDATE principal_lockout SET {set} WHERE principal_id = (SELECT principal_id FROM principals WHERE name = 'user')")));
        var refused = Assert.Throws<VaultIntegrityException>(() => engine.Unlock(TestVault.Password, "user"));
        Assert.Contains("in PowerShell with Unlock-VaultPrincipal", refused.Message); // said so from the CLI too

        engine.Unlock(TestVault.Password, "owner");
        var cleared = engine.UnlockPrincipal("user");
        Assert.Equal(0, cleared.FailedAttempts);
        Assert.Null(cleared.LockedUntil);
        engine.Lock();

        engine.Unlock(TestVault.Password, "user");
        Assert.True(engine.IsUnlocked);
        Assert.Equal("damaged-number-value-2", Secrets.ReadText(engine, "k"));
    }
}
