using SecureVault.Access;
using SecureVault.Identity;
using SecureVault.Rotation;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// Update-VaultKey in the engine: rotating one existing key with a value, or with a producer that
/// gets the current value and returns the new one. A failing producer changes nothing, is audited
/// and is a typed RotationFailed. Rotating needs the rotate permission (and read for a producer).
/// </summary>
public sealed class KeyRotationTests : IDisposable
{
    private readonly RotationVault _v = new();

    public KeyRotationTests() =>
        _v.Write("db/password", "first", new KeyUpdate(Tags: ["prod"], Service: "payments", Description: "the db"));

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    [Fact]
    public void Rotating_with_a_value_writes_the_next_version_and_keeps_the_metadata()
    {
        long before = _v.LastSeq();
        var info = _v.Rotate("db/password", "second");

        Assert.Equal(2, info.Version);
        Assert.Equal([1, 2], info.Versions);
        Assert.Equal(["prod"], info.Tags);
        Assert.Equal(("payments", "the db"), (info.Service, info.Description));
        Assert.Equal("second", Secrets.ReadText(Engine, "db/password"));
        Assert.Equal("first", Secrets.ReadText(Engine, "db/password", 1));
        var record = Assert.Single(_v.AuditSince(before), r => r.Action == "rotate");
        Assert.Equal(("success", "db/password", 2, "owner"), (record.Outcome, record.Name, record.Version, record.Principal));
    }

    [Fact]
    public void Rotating_may_change_the_value_type()
    {
        using var bytes = SecretBytes.CopyOf([1, 2, 3]);
        Assert.Equal(SecretValueType.ByteArray, Engine.UpdateKey("db/password", bytes).Type);
        Assert.Equal([1, 2, 3], Secrets.ReadBytes(Engine, "db/password"));
    }

    [Fact]
    public void Rotating_with_a_producer_hands_it_the_current_value_and_writes_what_it_returns()
    {
        long before = _v.LastSeq();
        string? seen = null;
        var info = Engine.UpdateKey("db/password", current =>
        {
            seen = Assert.IsType<SecretText>(current).ToPlainString();
            return SecretText.FromString(seen + "-rotated");
        });

        Assert.Equal("first", seen);
        Assert.Equal(2, info.Version);
        var records = _v.AuditSince(before).Where(r => r.Name == "db/password").Select(r => (r.Action, r.Outcome, r.Version));
        Assert.Equal([("get", "success", (int?)1), ("rotate", "success", (int?)2)], records);
        Assert.Equal("first-rotated", Secrets.ReadText(Engine, "db/password"));
    }

    [Fact]
    public void A_producer_that_throws_changes_nothing_and_is_RotationFailed_with_its_error_inside()
    {
        long before = _v.LastSeq();
        var cause = new InvalidOperationException("the identity provider refused the new password");

        var failed = Assert.Throws<VaultRotationFailedException>(() => Engine.UpdateKey("db/password", _ => throw cause));

        Assert.Equal(("RotationFailed", "db/password"), (failed.ErrorId, failed.Target));
        Assert.Same(cause, failed.InnerException);
        Assert.Contains("'db/password'", failed.Message);
        Assert.DoesNotContain("first", failed.Message);
        var info = Engine.GetKeyInfo("db/password");
        Assert.Equal(1, info.Version);
        Assert.Equal([1], info.Versions);
        Assert.Equal("first", Secrets.ReadText(Engine, "db/password"));
        var record = Assert.Single(_v.AuditSince(before), r => r.Action == "rotate");
        Assert.Equal(("error", "RotationFailed", "db/password"), (record.Outcome, record.Reason, record.Name));
    }

    [Fact]
    public void A_producer_that_returns_nothing_is_RotationFailed_and_changes_nothing()
    {
        var failed = Assert.Throws<VaultRotationFailedException>(() => Engine.UpdateKey("db/password", _ => null));
        Assert.Equal("RotationFailed", failed.ErrorId);
        Assert.Equal(1, Engine.GetKeyInfo("db/password").Version);
        Assert.Equal("error", Engine.GetAuditLog().Last(r => r.Action == "rotate").Outcome);
    }

    [Fact]
    public void A_failed_rotation_of_a_blocked_key_leaves_it_blocked()
    {
        _v.AdvanceDays(100);
        Assert.Throws<VaultRotationFailedException>(() => Engine.UpdateKey("db/password", _ => throw new TimeoutException("no answer")));
        Assert.Equal((RotationState.Blocked, 1), (_v.State("db/password"), _v.Status("db/password").Version));
        Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey("db/password"));
    }

    [Fact]
    public void A_producer_rotates_a_blocked_key_it_could_not_read_otherwise()
    {
        _v.AdvanceDays(100);
        string? seen = null;
        Engine.UpdateKey("db/password", current =>
        {
            seen = Assert.IsType<SecretText>(current).ToPlainString();
            return SecretText.FromString("renewed");
        });
        Assert.Equal("first", seen);
        Assert.Equal("renewed", Secrets.ReadText(Engine, "db/password"));
    }

    [Fact]
    public void Rotating_a_key_that_does_not_exist_is_KeyNotFound_and_creates_nothing()
    {
        using var value = SecretText.FromString("x");
        Assert.Equal("KeyNotFound", Assert.Throws<VaultKeyNotFoundException>(() => Engine.UpdateKey("missing", value)).ErrorId);
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.UpdateKey("missing", _ => SecretText.FromString("x")));
        Assert.DoesNotContain(Engine.ListKeys(), k => k.Name == "missing");
    }

    [Fact]
    public void A_Viewer_cannot_rotate_even_a_key_it_may_read()
    {
        Engine.NewPrincipal("vera", Role.Viewer, RotationVault.VeraPassword);
        Engine.GrantAccess("db/password", "vera", KeyPermissions.Read);
        var engine = _v.As("vera", RotationVault.VeraPassword);

        using var value = SecretText.FromString("by vera");
        var denied = Assert.Throws<VaultAccessDeniedException>(() => engine.UpdateKey("db/password", value));
        Assert.Equal(("AccessDenied", "rotate"), (denied.ErrorId, denied.Permission));
        Assert.Equal("rotate", Assert.Throws<VaultAccessDeniedException>(() => engine.UpdateKey("db/password", _ => SecretText.FromString("x"))).Permission);

        _v.AsOwner();
        Assert.Equal("first", Secrets.ReadText(Engine, "db/password"));
        var record = Engine.GetAuditLog().Last(r => r.Action == "rotate");
        Assert.Equal(("vera", "denied", "AccessDenied"), (record.Principal, record.Outcome, record.Reason));
    }

    [Fact]
    public void A_User_rotates_its_own_key_but_not_another_s_until_granted_rotate()
    {
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        Engine.GrantAccess("db/password", "bob", KeyPermissions.Read);
        var engine = _v.As("bob", RotationVault.BobPassword);
        Secrets.WriteText(engine, "bob-key", "bob's first");
        Assert.Equal(2, _v.Rotate("bob-key", "bob's second").Version);
        Assert.Equal("rotate", Assert.Throws<VaultAccessDeniedException>(() => _v.Rotate("db/password", "by bob")).Permission);

        _v.AsOwner();
        Engine.GrantAccess("db/password", "bob", KeyPermissions.Rotate);
        _v.As("bob", RotationVault.BobPassword);
        Assert.Equal(2, _v.Rotate("db/password", "by bob").Version);
        Assert.Equal(3, Engine.UpdateKey("db/password", current => SecretText.FromString("by bob's producer")).Version);
        Assert.Equal("by bob's producer", Secrets.ReadText(Engine, "db/password"));
    }

    [Fact]
    public void A_producer_also_needs_read_while_a_value_needs_only_rotate()
    {
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        Engine.GrantAccess("db/password", "bob", KeyPermissions.Rotate);
        var engine = _v.As("bob", RotationVault.BobPassword);

        bool called = false;
        var denied = Assert.Throws<VaultAccessDeniedException>(() => engine.UpdateKey("db/password", _ => { called = true; return SecretText.FromString("x"); }));
        Assert.Equal("read", denied.Permission);
        Assert.False(called);
        Assert.Equal(2, _v.Rotate("db/password", "blind rotation").Version);
    }
}
