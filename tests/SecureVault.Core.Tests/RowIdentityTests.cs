using SecureVault.Identity;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// A store that answers a lookup with another row (another version, another key, another
/// principal, or nothing where the row exists) must yield IntegrityViolation, never a value and
/// never another principal's rights. The engine checks every row against what it asked for,
/// whatever store is behind it. (The other-key, restore and keyslot cases were refused before the
/// row checks too, by the sealed name, the AAD and the key import: they guard that it stays so.)
/// </summary>
public sealed class RowIdentityTests : IDisposable
{
    private readonly TestVault _vault = new();
    private readonly SqliteVaultStore _sqlite;
    private readonly MisdirectingStore _store;
    private readonly VaultEngine _engine;

    public RowIdentityTests()
    {
        for (int v = 1; v <= 3; v++) Secrets.WriteText(_vault.Engine, "alpha", "alpha-value-" + v);
        Secrets.WriteText(_vault.Engine, "beta", "beta-value-1");
        _sqlite = new SqliteVaultStore(_vault.Path);
        _store = new MisdirectingStore(_sqlite);
        // The same path: this engine shares the unlocked session of the vault's own engine.
        _engine = new VaultEngine(_store);
    }

    public void Dispose()
    {
        _store.Redirect = null;
        _vault.Dispose();
        _store.Dispose();
    }

    private void AssertRefused(Func<object> operation)
    {
        object? result = null;
        var e = Assert.Throws<VaultIntegrityException>(() => result = operation());
        Assert.Null(result);
        Assert.DoesNotContain("alpha-value-", e.ToString());
        Assert.DoesNotContain("beta-value-", e.ToString());
    }

    [Fact]
    public void A_read_of_version_3_answered_with_version_1s_row_is_refused()
    {
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.ReadValue) && (int?)args[2] == 3
            ? MisdirectingStore.Answer.With(r.ReadValue((byte[])args[0]!, (Guid)args[1]!, 1))
            : MisdirectingStore.Answer.Pass;
        AssertRefused(() => _engine.GetKey("alpha", 3));
    }

    [Fact]
    public void A_read_of_the_current_version_answered_with_an_older_row_is_refused()
    {
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.ReadValue) && args[2] is null
            ? MisdirectingStore.Answer.With(r.ReadValue((byte[])args[0]!, (Guid)args[1]!, 2))
            : MisdirectingStore.Answer.Pass;
        AssertRefused(() => _engine.GetKey("alpha"));
    }

    [Fact]
    public void A_restore_answered_with_another_versions_row_is_refused()
    {
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.Versions)
            ? MisdirectingStore.Answer.With(r.Versions((Guid)args[0]!).Where(v => v.Version != 2).Select(v => v.Version == 1 ? v with { Version = 2 } : v).ToList())
            : MisdirectingStore.Answer.Pass;
        // Version 2's row replaced by version 1's, relabelled: its AAD must bind the version asked for.
        AssertRefused(() => _engine.RestoreKey("alpha", 2));
        _store.Redirect = null;
        Assert.Equal("alpha-value-3", Secrets.ReadText(_engine, "alpha"));
    }

    [Fact]
    public void A_read_answered_with_another_keys_row_is_refused()
    {
        byte[]? betaIndex = null;
        _store.Redirect = (r, method, args) =>
        {
            if (method == nameof(IVaultReader.ReadValue)) betaIndex ??= (byte[])args[0]!;
            return MisdirectingStore.Answer.Pass;
        };
        Assert.Equal("beta-value-1", Secrets.ReadText(_engine, "beta"));
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.ReadValue)
            ? MisdirectingStore.Answer.With(r.ReadValue(betaIndex!, (Guid)args[1]!, (int?)args[2]))
            : MisdirectingStore.Answer.Pass;
        AssertRefused(() => _engine.GetKey("alpha"));
    }

    [Fact]
    public void A_lookup_of_the_acting_principal_answered_with_an_Admins_row_gives_no_Admin_rights()
    {
        _vault.Engine.NewPrincipal("viewer", Role.Viewer, TestVault.Password, TestVault.CheapKdf);
        _vault.Engine.Lock();
        _engine.Unlock(TestVault.Password, "viewer");
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.FindPrincipal) && args[0] is Guid id
            && r.FindPrincipal(id) is { Name: "viewer" }
            ? MisdirectingStore.Answer.With(r.FindPrincipal(PrincipalNames.Normalize("owner")))
            : MisdirectingStore.Answer.Pass;
        AssertRefused(() => _engine.NewPrincipal("intruder", Role.Admin, TestVault.Password, TestVault.CheapKdf));
    }

    [Fact]
    public void A_principal_that_exists_but_is_not_found_by_id_is_an_integrity_error_not_disabled()
    {
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.FindPrincipal) && args[0] is Guid
            ? MisdirectingStore.Answer.With(null)
            : MisdirectingStore.Answer.Pass;
        AssertRefused(() => _engine.ListKeys());
    }

    [Fact]
    public void A_principal_that_exists_but_is_not_found_by_name_is_an_integrity_error_not_unknown()
    {
        _vault.Engine.Lock();
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.FindPrincipal) && args[0] is string
            ? MisdirectingStore.Answer.With(null)
            : MisdirectingStore.Answer.Pass;
        Assert.Throws<VaultIntegrityException>(() => _engine.Unlock(TestVault.Password, "owner"));
        Assert.False(_engine.IsUnlocked);
    }

    [Fact]
    public void A_keyslot_list_holding_another_principals_keyslot_is_refused()
    {
        _vault.Engine.NewPrincipal("second", Role.User, TestVault.Password, TestVault.CheapKdf);
        _vault.Engine.Lock();
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.Keyslots) && r.FindPrincipal((Guid)args[0]!) is { Name: "second" }
            ? MisdirectingStore.Answer.With(r.Keyslots(r.FindPrincipal(PrincipalNames.Normalize("owner"))!.Id))
            : MisdirectingStore.Answer.Pass;
        Assert.Throws<VaultIntegrityException>(() => _engine.Unlock(TestVault.Password, "second"));
        Assert.False(_engine.IsUnlocked);
    }

    [Fact]
    public void A_grant_lookup_answered_with_a_grant_on_another_key_is_refused()
    {
        _vault.Engine.NewPrincipal("reader", Role.User, TestVault.Password, TestVault.CheapKdf);
        _vault.Engine.GrantAccess("beta", "reader", Access.KeyPermissions.Read);
        Guid? betaId = null;
        _vault.Engine.Lock();
        _engine.Unlock(TestVault.Password, "reader");
        _store.Redirect = (r, method, args) =>
        {
            if (method == nameof(IVaultReader.FindGrant) && betaId is null) betaId = (Guid)args[0]!;
            return MisdirectingStore.Answer.Pass;
        };
        Assert.Equal("beta-value-1", Secrets.ReadText(_engine, "beta"));
        _store.Redirect = (r, method, args) => method == nameof(IVaultReader.FindGrant)
            ? MisdirectingStore.Answer.With(r.FindGrant(betaId!.Value, (Guid)args[1]!))
            : MisdirectingStore.Answer.Pass;
        AssertRefused(() => _engine.GetKey("alpha"));
    }
}
