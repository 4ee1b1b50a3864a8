using SecureVault.Identity;
using SecureVault.Rotation;

namespace SecureVault.Tests;

/// <summary>
/// Exemptions: by key or by service (wildcards, case-insensitive), always with a reason and an end
/// no more than 366 days ahead. While one is active the key is Exempt and reads without warning;
/// once it ends the key is back in its real state.
/// </summary>
public sealed class RotationExemptionTests : IDisposable
{
    private readonly RotationVault _v = new();

    public RotationExemptionTests()
    {
        _v.Write("db/password", "db value", new KeyUpdate(Service: "Payments-EU"));
        _v.Write("api/token", "api value", new KeyUpdate(Service: "payments-us"));
        _v.Write("mail/password", "mail value", new KeyUpdate(Service: "billing"));
        _v.Write("no-service", "plain value");
        _v.AdvanceDays(100); // every key above is Blocked now
    }

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    private DateTimeOffset Now => _v.Clock.UtcNow;

    [Fact]
    public void A_key_exemption_makes_a_blocked_key_Exempt_and_readable_without_a_warning()
    {
        Assert.Equal(RotationState.Blocked, _v.State("db/password"));

        var exemption = Engine.AddRotationExemption(null, "db/password", "vendor migration", Now.AddDays(30));

        Assert.Equal(("db/password", (string?)null, "vendor migration", true), (exemption.Key, exemption.Service, exemption.Reason, exemption.IsActive));
        Assert.Equal(Now.AddDays(30).UtcDateTime, exemption.Until);
        Assert.Equal("owner", exemption.CreatedBy);
        var status = _v.Status("db/password");
        Assert.Equal(RotationState.Exempt, status.State);
        Assert.False(status.IsDue);
        Assert.Equal(Now.AddDays(30).UtcDateTime, status.ExemptUntil);
        Assert.Equal("vendor migration", status.ExemptReason);
        var warnings = new List<string>();
        Assert.Equal("db value", _v.Read("db/password", warnings));
        Assert.Empty(warnings);
        Assert.Equal(RotationState.Blocked, _v.State("api/token")); // only the one key
        var record = Engine.GetAuditLog().Last(r => r.Action == "exemption-add");
        Assert.Equal(("owner", "success"), (record.Principal, record.Outcome));
    }

    [Fact]
    public void When_the_exemption_ends_the_key_is_Blocked_again()
    {
        Engine.AddRotationExemption(null, "db/password", "vendor migration", Now.AddDays(2));
        _v.AdvanceDays(1);
        Assert.Equal(RotationState.Exempt, _v.State("db/password"));

        _v.AdvanceDays(1);

        Assert.Equal(RotationState.Blocked, _v.State("db/password"));
        Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey("db/password"));
        Assert.Empty(Engine.GetRotationExemptions());
        var expired = Assert.Single(Engine.GetRotationExemptions(includeExpired: true));
        Assert.False(expired.IsActive);
    }

    [Fact]
    public void An_ended_exemption_returns_a_key_that_was_never_overdue_to_Ok()
    {
        _v.Write("fresh", "f");
        Engine.AddRotationExemption(null, "fresh", "testing", Now.AddDays(1));
        Assert.Equal(RotationState.Exempt, _v.State("fresh"));
        _v.AdvanceDays(1);
        Assert.Equal(RotationState.Ok, _v.State("fresh"));
    }

    [Fact]
    public void A_service_exemption_with_a_wildcard_covers_the_keys_of_every_matching_service_whatever_the_case()
    {
        var exemption = Engine.AddRotationExemption("payments-*", null, "payments freeze", Now.AddDays(10));
        Assert.Equal(("payments-*", (string?)null), (exemption.Service, exemption.Key));

        Assert.Equal(RotationState.Exempt, _v.State("db/password")); // Payments-EU
        Assert.Equal(RotationState.Exempt, _v.State("api/token")); // payments-us
        Assert.Equal(RotationState.Blocked, _v.State("mail/password")); // billing
        Assert.Equal(RotationState.Blocked, _v.State("no-service"));
        Assert.Equal("api value", Secrets.ReadText(Engine, "api/token"));
        Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey("mail/password"));
    }

    [Fact]
    public void A_key_moved_to_an_exempt_service_is_covered_and_one_moved_out_is_not()
    {
        Engine.AddRotationExemption("billing", null, "billing freeze", Now.AddDays(10));
        Engine.UpdateKeyInfo("no-service", new KeyUpdate(Service: "BILLING"));
        Engine.UpdateKeyInfo("mail/password", new KeyUpdate(Service: "marketing"));
        Assert.Equal(RotationState.Exempt, _v.State("no-service"));
        Assert.Equal(RotationState.Blocked, _v.State("mail/password"));
    }

    [Fact]
    public void Removing_an_exemption_ends_it_at_once()
    {
        var exemption = Engine.AddRotationExemption(null, "db/password", "vendor migration", Now.AddDays(30));
        var removed = Engine.RemoveRotationExemption(exemption.Id);
        Assert.Equal((exemption.Id, "vendor migration"), (removed.Id, removed.Reason));
        Assert.Equal(RotationState.Blocked, _v.State("db/password"));
        Assert.Empty(Engine.GetRotationExemptions(includeExpired: true));
        Assert.Equal("exemption-remove", Engine.GetAuditLog().Last(r => r.Action.StartsWith("exemption")).Action);
    }

    [Fact]
    public void An_exemption_without_an_end_date_is_refused()
    {
        var refused = Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption(null, "db/password", "forever", null));
        Assert.Equal("InvalidInput", refused.ErrorId);
        AssertNothingStored();
    }

    [Fact]
    public void An_end_date_in_the_past_or_now_is_refused()
    {
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption(null, "db/password", "too late", Now.AddSeconds(-1)));
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption(null, "db/password", "too late", Now));
        AssertNothingStored();
    }

    [Fact]
    public void An_end_more_than_366_days_ahead_is_refused_and_366_days_is_accepted()
    {
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption(null, "db/password", "too long", Now.AddDays(366).AddMinutes(1)));
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption("billing", null, "too long", Now.AddDays(367)));
        AssertNothingStored();
        Assert.True(Engine.AddRotationExemption(null, "db/password", "a long year", Now.AddDays(366)).IsActive);
    }

    [Fact]
    public void An_exemption_names_either_a_service_or_a_key_never_both_nor_neither()
    {
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption("billing", "mail/password", "both", Now.AddDays(1)));
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption(null, null, "neither", Now.AddDays(1)));
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption("", "", "neither", Now.AddDays(1)));
        AssertNothingStored();
    }

    [Fact]
    public void An_exemption_needs_a_reason()
    {
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption(null, "db/password", "", Now.AddDays(1)));
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddRotationExemption(null, "db/password", "   ", Now.AddDays(1)));
        AssertNothingStored();
    }

    [Fact]
    public void A_key_exemption_needs_an_existing_key()
    {
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.AddRotationExemption(null, "missing", "typo", Now.AddDays(1)));
        AssertNothingStored();
    }

    [Fact]
    public void Only_an_Admin_adds_or_removes_exemptions()
    {
        var exemption = Engine.AddRotationExemption(null, "db/password", "vendor migration", Now.AddDays(30));
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        var engine = _v.As("bob", RotationVault.BobPassword);

        Assert.Equal("manage-rotation-policy", Assert.Throws<VaultAccessDeniedException>(() =>
            engine.AddRotationExemption("billing", null, "please", Now.AddDays(1))).Permission);
        Assert.Equal("manage-rotation-policy", Assert.Throws<VaultAccessDeniedException>(() =>
            engine.RemoveRotationExemption(exemption.Id)).Permission);

        _v.AsOwner();
        Assert.Equal([exemption.Id], Engine.GetRotationExemptions().Select(e => e.Id));
    }

    [Fact]
    public void Exemptions_survive_closing_and_reopening_the_vault()
    {
        Engine.AddRotationExemption("payments-*", null, "payments freeze", Now.AddDays(10));
        var engine = _v.Vault.Reopen();
        engine.Unlock(TestVault.Password);
        var exemption = Assert.Single(engine.GetRotationExemptions());
        Assert.Equal(("payments-*", "payments freeze"), (exemption.Service, exemption.Reason));
        Assert.Equal(RotationState.Exempt, Assert.Single(engine.GetRotationStatus("api/token")).State);
    }

    private void AssertNothingStored()
    {
        Assert.Empty(Engine.GetRotationExemptions(includeExpired: true));
        Assert.Equal(RotationState.Blocked, _v.State("db/password"));
    }
}
