using SecureVault.Access;
using SecureVault.Identity;
using SecureVault.Rotation;

namespace SecureVault.Tests;

/// <summary>
/// Get-VaultKeyHistory: the kept versions newest first, when and by whom each was written, how
/// long a replaced one stays readable; and how many are kept (the policy's VersionsKept).
/// </summary>
public sealed class KeyHistoryTests : IDisposable
{
    private readonly RotationVault _v = new();

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    [Fact]
    public void History_lists_the_versions_newest_first_with_when_and_by_whom_each_was_written()
    {
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        _v.Write("k", "one");
        var written1 = _v.Now;
        Engine.GrantAccess("k", "bob", KeyPermissions.Read | KeyPermissions.Rotate);
        _v.As("bob", RotationVault.BobPassword);
        _v.AdvanceDays(1);
        var written2 = _v.Now;
        _v.Rotate("k", "two");
        _v.AsOwner();
        _v.AdvanceDays(2);
        var written3 = _v.Now;
        _v.Write("k", "three");

        var history = Engine.GetKeyHistory("k");

        Assert.Equal([3, 2, 1], history.Select(h => h.Version));
        Assert.Equal([written3, written2, written1], history.Select(h => h.Created));
        Assert.Equal(["owner", "bob", "owner"], history.Select(h => h.CreatedBy));
        Assert.Equal([true, false, false], history.Select(h => h.IsCurrent));
        Assert.All(history, h => Assert.Equal("k", h.Name));
        // A replaced version stays readable for the grace (7 days) after its successor was written.
        Assert.Equal(new DateTime?[] { null, written3.AddDays(7), written2.AddDays(7) }, history.Select(h => h.ReadableUntil));
    }

    [Fact]
    public void History_is_open_to_every_role_that_lists_keys_and_is_audited()
    {
        _v.Write("k", "one");
        _v.Write("k", "two");
        Engine.NewPrincipal("vera", Role.Viewer, RotationVault.VeraPassword);
        var engine = _v.As("vera", RotationVault.VeraPassword);
        Assert.Equal([2, 1], engine.GetKeyHistory("k").Select(h => h.Version));
        _v.AsOwner();
        var record = Engine.GetAuditLog().Last(r => r.Action == "history");
        Assert.Equal(("vera", "success", "k"), (record.Principal, record.Outcome, record.Name));
    }

    [Fact]
    public void History_of_a_key_that_does_not_exist_is_KeyNotFound()
    {
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKeyHistory("missing"));
    }

    [Fact]
    public void By_default_the_last_10_versions_are_kept()
    {
        for (int n = 1; n <= 12; n++) _v.Write("k", "value " + n);

        Assert.Equal(Enumerable.Range(3, 10).Reverse(), Engine.GetKeyHistory("k").Select(h => h.Version));
        Assert.Equal(Enumerable.Range(3, 10), Engine.GetKeyInfo("k").Versions);
        Assert.Throws<VaultKeyVersionNotFoundException>(() => Engine.GetKey("k", 2));
    }

    [Fact]
    public void A_key_with_VersionsKept_3_keeps_3_of_5_versions_and_deletes_the_rest_from_the_file()
    {
        var id = _v.Write("k", "value 1").Id;
        Engine.SetRotationPolicy("k", new RotationPolicyChange(VersionsKept: 3));
        for (int n = 2; n <= 5; n++) _v.Rotate("k", "value " + n);

        Assert.Equal([5, 4, 3], Engine.GetKeyHistory("k").Select(h => h.Version));
        Assert.Equal([3, 4, 5], Engine.GetKeyInfo("k").Versions);
        for (int n = 3; n <= 5; n++) Assert.Equal("value " + n, Secrets.ReadText(Engine, "k", n));
        Assert.Throws<VaultKeyVersionNotFoundException>(() => Engine.GetKey("k", 2));
        _v.Vault.Release();
        using var file = new RawVaultFile(_v.Vault.Path);
        Assert.Equal([3L, 4L, 5L], file.Rows("SELECT version FROM secret_versions WHERE secret_id = $a0 ORDER BY version", id.ToByteArray()).Select(r => (long)r[0]!));
    }

    [Fact]
    public void A_default_VersionsKept_applies_to_every_key_that_follows_the_default()
    {
        Engine.SetDefaultRotationPolicy(new RotationPolicyChange(VersionsKept: 2));
        for (int n = 1; n <= 4; n++) _v.Write("k", "value " + n);
        Assert.Equal([4, 3], Engine.GetKeyHistory("k").Select(h => h.Version));
    }
}
