using SecureVault.Identity;
using SecureVault.Rotation;

namespace SecureVault.Tests;

/// <summary>
/// The vault-wide default policy and the values a key sets for itself: what is shown, what is
/// refused, that a key's own values survive a reopen, and that only an Admin changes them.
/// </summary>
public sealed class RotationPolicyTests : IDisposable
{
    private readonly RotationVault _v = new();

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    [Fact]
    public void The_default_is_90_days_warning_14_grace_7_and_10_versions_kept()
    {
        var policy = Engine.GetDefaultRotationPolicy();
        Assert.Equal(VaultRotationPolicyInfo.DefaultScope, policy.Scope);
        Assert.Equal((TimeSpan.FromDays(90), TimeSpan.FromDays(14), TimeSpan.FromDays(7), 10),
            (policy.MaxAge, policy.Warning, policy.Grace, policy.VersionsKept));
        Assert.Empty(policy.Overrides);
        Assert.Equal(_v.Vault.Path, policy.Vault);
    }

    [Fact]
    public void Changing_the_default_keeps_the_values_not_given()
    {
        var changed = Engine.SetDefaultRotationPolicy(new RotationPolicyChange(MaxAge: TimeSpan.FromDays(30), VersionsKept: 5));
        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromDays(14), TimeSpan.FromDays(7), 5),
            (changed.MaxAge, changed.Warning, changed.Grace, changed.VersionsKept));

        var engine = _v.Vault.Reopen();
        engine.Unlock(TestVault.Password);
        var read = engine.GetDefaultRotationPolicy();
        Assert.Equal((TimeSpan.FromDays(30), 5), (read.MaxAge, read.VersionsKept));
        var record = engine.GetAuditLog().Last(r => r.Action == "rotation-policy");
        Assert.Equal(("owner", "success"), (record.Principal, record.Outcome));
    }

    public static TheoryData<RotationPolicyChange> OutOfRange => new()
    {
        new RotationPolicyChange(MaxAge: TimeSpan.Zero),
        new RotationPolicyChange(MaxAge: TimeSpan.FromMilliseconds(999)),
        new RotationPolicyChange(MaxAge: TimeSpan.FromDays(3651)),
        new RotationPolicyChange(Warning: TimeSpan.FromDays(91)),
        new RotationPolicyChange(Warning: TimeSpan.FromSeconds(-1)),
        new RotationPolicyChange(Grace: TimeSpan.FromDays(366)),
        new RotationPolicyChange(Grace: TimeSpan.FromSeconds(-1)),
        new RotationPolicyChange(VersionsKept: 0),
        new RotationPolicyChange(VersionsKept: 101),
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void A_value_out_of_range_is_refused_for_the_default_and_for_a_key_and_changes_nothing(RotationPolicyChange change)
    {
        _v.Write("k", "v");
        var refused = Assert.Throws<VaultInvalidInputException>(() => Engine.SetDefaultRotationPolicy(change));
        Assert.Equal("InvalidInput", refused.ErrorId);
        Assert.Throws<VaultInvalidInputException>(() => Engine.SetRotationPolicy("k", change));

        var policy = Engine.GetDefaultRotationPolicy();
        Assert.Equal((TimeSpan.FromDays(90), TimeSpan.FromDays(14), TimeSpan.FromDays(7), 10),
            (policy.MaxAge, policy.Warning, policy.Grace, policy.VersionsKept));
        Assert.Empty(Assert.Single(Engine.GetRotationPolicy("k")).Overrides);
    }

    [Fact]
    public void The_limits_themselves_are_accepted()
    {
        _v.Write("k", "v");
        var longest = Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(3650), Warning: TimeSpan.FromDays(3650),
            Grace: TimeSpan.FromDays(365), VersionsKept: 100));
        Assert.Equal((TimeSpan.FromDays(3650), TimeSpan.FromDays(365), 100), (longest.Single().MaxAge, longest.Single().Grace, longest.Single().VersionsKept));
        var shortest = Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromSeconds(1), Warning: TimeSpan.Zero,
            Grace: TimeSpan.Zero, VersionsKept: 1));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.Zero, 1), (shortest.Single().MaxAge, shortest.Single().Grace, shortest.Single().VersionsKept));
    }

    [Fact]
    public void A_wildcard_sets_the_policy_of_every_matching_key_and_names_what_they_override()
    {
        _v.Write("api/one", "1");
        _v.Write("api/two", "2");
        _v.Write("other", "3");

        var set = Engine.SetRotationPolicy("api/*", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(30), Grace: TimeSpan.FromDays(2)));

        Assert.Equal(["api/one", "api/two"], set.Select(p => p.Scope).Order());
        var one = Assert.Single(Engine.GetRotationPolicy("api/one"));
        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromDays(14), TimeSpan.FromDays(2), 10), (one.MaxAge, one.Warning, one.Grace, one.VersionsKept));
        Assert.Equal(["Grace", "MaxAge"], one.Overrides.Order());
        Assert.Empty(Assert.Single(Engine.GetRotationPolicy("other")).Overrides);
        Assert.Equal(3, Engine.GetRotationPolicy("*").Count);
    }

    [Fact]
    public void A_key_that_inherits_again_follows_the_default_from_then_on()
    {
        _v.Write("k", "v");
        Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(10), Warning: TimeSpan.FromDays(3)));
        Engine.SetRotationPolicy("k", new RotationPolicyChange(Inherit: true));
        Engine.SetDefaultRotationPolicy(new RotationPolicyChange(MaxAge: TimeSpan.FromDays(20)));

        var policy = Assert.Single(Engine.GetRotationPolicy("k"));
        Assert.Empty(policy.Overrides);
        Assert.Equal(TimeSpan.FromDays(20), policy.MaxAge);
        Assert.Equal(_v.Start.UtcDateTime.AddDays(20), _v.Status("k").DueDate);
    }

    [Fact]
    public void A_key_policy_survives_closing_and_reopening_the_vault()
    {
        _v.Write("k", "v");
        Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(10), Warning: TimeSpan.FromDays(3), VersionsKept: 3));
        var engine = _v.Vault.Reopen();
        engine.Unlock(TestVault.Password);
        var policy = Assert.Single(engine.GetRotationPolicy("k"));
        Assert.Equal((TimeSpan.FromDays(10), 3), (policy.MaxAge, policy.VersionsKept));
    }

    [Fact]
    public void Writing_a_key_keeps_its_own_policy()
    {
        _v.Write("k", "v1");
        Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(10), Warning: TimeSpan.FromDays(3)));
        _v.Write("k", "v2");
        _v.Rotate("k", "v3");
        Assert.Equal(TimeSpan.FromDays(10), Assert.Single(Engine.GetRotationPolicy("k")).MaxAge);
    }

    [Fact]
    public void A_key_maximum_age_shorter_than_the_warning_it_inherits_is_refused()
    {
        _v.Write("k", "v");
        var refused = Assert.Throws<VaultInvalidInputException>(() => Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(10))));
        Assert.Contains("'k'", refused.Message);
        Assert.Contains("-Warning", refused.Message);
        Assert.Empty(Assert.Single(Engine.GetRotationPolicy("k")).Overrides);
    }

    [Fact]
    public void A_policy_for_a_key_that_does_not_exist_is_KeyNotFound()
    {
        Assert.Equal("KeyNotFound", Assert.Throws<VaultKeyNotFoundException>(() =>
            Engine.SetRotationPolicy("missing", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(10)))).ErrorId);
    }

    [Fact]
    public void Only_an_Admin_changes_policies_and_a_refusal_is_audited()
    {
        _v.Write("k", "v");
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        var engine = _v.As("bob", RotationVault.BobPassword);
        Secrets.WriteText(engine, "bob-key", "b");

        var denied = Assert.Throws<VaultAccessDeniedException>(() => engine.SetDefaultRotationPolicy(new RotationPolicyChange(MaxAge: TimeSpan.FromDays(30))));
        Assert.Equal("manage-rotation-policy", denied.Permission);
        Assert.Equal("manage-rotation-policy", Assert.Throws<VaultAccessDeniedException>(() =>
            engine.SetRotationPolicy("bob-key", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(30)))).Permission);

        _v.AsOwner();
        Assert.Equal(TimeSpan.FromDays(90), Engine.GetDefaultRotationPolicy().MaxAge);
        Assert.Empty(Assert.Single(Engine.GetRotationPolicy("bob-key")).Overrides);
        var refusals = Engine.GetAuditLog().Where(r => r.Action == "rotation-policy" && r.Outcome == "denied").ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(("bob", "AccessDenied"), (r.Principal, r.Reason)));
    }
}
