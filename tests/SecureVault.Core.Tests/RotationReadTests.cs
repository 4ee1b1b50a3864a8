using SecureVault.Audit;
using SecureVault.Rotation;

namespace SecureVault.Tests;

/// <summary>
/// Reads against the rotation state: a Blocked key is refused with a typed KeyExpired that says
/// since when and how to fix it, is audited as denied and raises an alert; Warning and Overdue
/// keys read and warn once; Ok and Exempt keys read silently.
/// </summary>
public sealed class RotationReadTests : IDisposable
{
    private const string Name = "db/password";
    private const string Value = "s3cret-db-value";
    private readonly RotationVault _v = new();

    public RotationReadTests() => _v.Write(Name, Value);

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    [Fact]
    public void Reading_a_blocked_key_throws_KeyExpired_with_its_due_date_and_since_when_it_is_blocked()
    {
        _v.AdvanceDays(100);

        var refused = Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey(Name));

        Assert.Equal("KeyExpired", refused.ErrorId);
        Assert.Equal(Name, refused.Target);
        Assert.Equal(_v.Start.AddDays(90), refused.Due);
        Assert.Equal(_v.Start.AddDays(97), refused.BlockedSince);
        Assert.Contains($"'{Name}'", refused.Message);
        Assert.Contains("Update-VaultKey", refused.Message);
        Assert.Contains("Add-VaultRotationExemption", refused.Message);
        Assert.Contains(_v.Start.AddDays(97).UtcDateTime.ToString("u"), refused.Message);
        Assert.DoesNotContain(Value, refused.Message);
    }

    [Fact]
    public void A_blocked_key_is_refused_at_any_version()
    {
        _v.AdvanceDays(1);
        Secrets.WriteText(Engine, Name, "second");
        _v.AdvanceDays(100);
        Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey(Name, 1));
        Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey(Name, 2));
    }

    [Fact]
    public void The_refused_read_is_an_audit_record_denied_for_KeyExpired_and_raises_the_BlockedKeyRead_alert()
    {
        _v.AdvanceDays(100);
        long before = _v.LastSeq();

        Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey(Name));

        var record = Assert.Single(_v.AuditSince(before), r => r.Action == "get");
        Assert.Equal(("denied", "KeyExpired", Name, "owner"), (record.Outcome, record.Reason, record.Name, record.Principal));
        var alert = Assert.Single(Engine.GetAlerts(), a => a.Kind == AlertKinds.BlockedKeyRead);
        Assert.Equal(record.Seq, alert.Seq);
        Assert.Equal("owner", alert.Principal);
        Assert.True(Engine.VerifyAudit().IsValid);
    }

    [Fact]
    public void A_read_before_the_block_raises_no_alert()
    {
        _v.AdvanceDays(96);
        Secrets.ReadText(Engine, Name);
        Assert.DoesNotContain(Engine.GetAlerts(), a => a.Kind == AlertKinds.BlockedKeyRead);
    }

    [Fact]
    public void A_key_without_rotation_due_reads_without_a_warning()
    {
        var warnings = new List<string>();
        Assert.Equal(Value, _v.Read(Name, warnings));
        _v.AdvanceDays(75);
        Assert.Equal(Value, _v.Read(Name, warnings));
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData(80, RotationState.Warning)]
    [InlineData(93, RotationState.Overdue)]
    public void A_key_in_its_warning_or_grace_period_reads_and_warns_once_naming_the_key(int days, RotationState state)
    {
        _v.AdvanceDays(days);
        Assert.Equal(state, _v.State(Name));

        var warnings = new List<string>();
        Assert.Equal(Value, _v.Read(Name, warnings));

        var warning = Assert.Single(warnings);
        Assert.Contains(Name, warning);
        Assert.DoesNotContain(Value, warning);
        Assert.Equal("success", Engine.GetAuditLog().Last(r => r.Action == "get").Outcome);
    }

    [Fact]
    public void A_warning_read_works_without_anyone_to_tell()
    {
        _v.AdvanceDays(80);
        Assert.Equal(Value, Secrets.ReadText(Engine, Name));
    }

    [Fact]
    public void An_exempt_key_reads_without_a_warning()
    {
        _v.AdvanceDays(93);
        Engine.AddRotationExemption(null, Name, "migration", _v.Clock.UtcNow.AddDays(5));
        var warnings = new List<string>();
        Assert.Equal(Value, _v.Read(Name, warnings));
        Assert.Empty(warnings);
    }

    [Fact]
    public void A_blocked_key_read_by_a_grantee_is_refused_the_same_way()
    {
        Engine.NewPrincipal("bob", Identity.Role.User, RotationVault.BobPassword);
        Engine.GrantAccess(Name, "bob", Access.KeyPermissions.Read);
        var engine = _v.As("bob", RotationVault.BobPassword);
        _v.AdvanceDays(100);
        Assert.Equal("KeyExpired", Assert.Throws<VaultKeyExpiredException>(() => engine.GetKey(Name)).ErrorId);
    }

    [Fact]
    public void Metadata_of_a_blocked_key_stays_readable()
    {
        _v.AdvanceDays(100);
        Assert.Equal(1, Engine.GetKeyInfo(Name).Version);
        Assert.Contains(Engine.ListKeys(), k => k.Name == Name);
    }
}
