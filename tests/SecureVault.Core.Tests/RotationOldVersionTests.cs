using SecureVault.Access;
using SecureVault.Identity;

namespace SecureVault.Tests;

/// <summary>
/// A replaced version stays readable by number for the grace period after its successor was
/// written, then is retired (KeyVersionRetired); Restore-VaultKey makes it current again as a new
/// version.
/// </summary>
public sealed class RotationOldVersionTests : IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(7);
    private readonly RotationVault _v = new();
    private readonly DateTimeOffset _replaced;

    public RotationOldVersionTests()
    {
        _v.Write("k", "old value");
        _v.AdvanceDays(10);
        _v.Rotate("k", "new value");
        _replaced = _v.Clock.UtcNow;
    }

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    [Fact]
    public void A_replaced_version_reads_by_number_until_the_grace_after_it_was_replaced_ends()
    {
        Assert.Equal("old value", Secrets.ReadText(Engine, "k", 1));
        _v.Advance(Grace - TimeSpan.FromSeconds(1));
        Assert.Equal("old value", Secrets.ReadText(Engine, "k", 1));

        _v.Advance(TimeSpan.FromSeconds(2));

        var retired = Assert.Throws<VaultKeyVersionRetiredException>(() => Engine.GetKey("k", 1));
        Assert.Equal(("KeyVersionRetired", "k"), (retired.ErrorId, retired.Target));
        Assert.Contains("Restore-VaultKey", retired.Message);
        Assert.Contains(( _replaced + Grace).UtcDateTime.ToString("u"), retired.Message);
        Assert.Equal("new value", Secrets.ReadText(Engine, "k"));
        Assert.Equal("new value", Secrets.ReadText(Engine, "k", 2)); // the current version by number
    }

    [Fact]
    public void A_retired_read_is_audited_as_denied()
    {
        _v.Advance(Grace + TimeSpan.FromDays(1));
        long before = _v.LastSeq();
        Assert.Throws<VaultKeyVersionRetiredException>(() => Engine.GetKey("k", 1));
        var record = Assert.Single(_v.AuditSince(before), r => r.Action == "get");
        Assert.Equal(("denied", "KeyVersionRetired", 1), (record.Outcome, record.Reason, record.Version));
    }

    [Fact]
    public void The_grace_of_the_key_policy_decides_how_long_a_replaced_version_reads()
    {
        Engine.SetRotationPolicy("k", new Rotation.RotationPolicyChange(Grace: TimeSpan.FromDays(30)));
        _v.AdvanceDays(20);
        Assert.Equal("old value", Secrets.ReadText(Engine, "k", 1));
        _v.AdvanceDays(11);
        Assert.Throws<VaultKeyVersionRetiredException>(() => Engine.GetKey("k", 1));
    }

    [Fact]
    public void Restoring_a_retired_version_writes_its_value_as_a_new_current_version()
    {
        _v.Advance(Grace + TimeSpan.FromDays(1));
        long before = _v.LastSeq();

        var restored = Engine.RestoreKey("k", 1);

        Assert.Equal(3, restored.Version);
        Assert.Equal([1, 2, 3], restored.Versions);
        Assert.Equal("old value", Secrets.ReadText(Engine, "k"));
        Assert.Equal("old value", Secrets.ReadText(Engine, "k", 3));
        Assert.Equal("new value", Secrets.ReadText(Engine, "k", 2)); // just replaced: in its grace
        Assert.Throws<VaultKeyVersionRetiredException>(() => Engine.GetKey("k", 1)); // still retired itself
        var status = _v.Status("k");
        Assert.Equal((Rotation.RotationState.Ok, _v.Now), (status.State, status.LastRotated));
        var record = Assert.Single(_v.AuditSince(before), r => r.Action == "restore");
        Assert.Equal(("success", "k", 3), (record.Outcome, record.Name, record.Version));
        Assert.Equal([3, 2, 1], Engine.GetKeyHistory("k").Select(h => h.Version));
    }

    [Fact]
    public void Restoring_a_version_that_is_not_kept_is_KeyVersionNotFound()
    {
        Assert.Throws<VaultKeyVersionNotFoundException>(() => Engine.RestoreKey("k", 7));
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.RestoreKey("missing", 1));
        Assert.Equal(2, Engine.GetKeyInfo("k").Version);
    }

    [Fact]
    public void Restoring_needs_read_and_write_on_the_key()
    {
        Engine.NewPrincipal("vera", Role.Viewer, RotationVault.VeraPassword);
        Engine.NewPrincipal("carol", Role.User, RotationVault.CarolPassword);
        Engine.GrantAccess("k", "vera", KeyPermissions.Read);
        Engine.GrantAccess("k", "carol", KeyPermissions.Read);

        var engine = _v.As("vera", RotationVault.VeraPassword);
        Assert.Equal("write", Assert.Throws<VaultAccessDeniedException>(() => engine.RestoreKey("k", 1)).Permission);
        engine = _v.As("carol", RotationVault.CarolPassword);
        Assert.Equal("write", Assert.Throws<VaultAccessDeniedException>(() => engine.RestoreKey("k", 1)).Permission);

        _v.AsOwner();
        Engine.GrantAccess("k", "carol", KeyPermissions.Write);
        engine = _v.As("carol", RotationVault.CarolPassword);
        Assert.Equal(3, engine.RestoreKey("k", 1).Version);
    }
}
