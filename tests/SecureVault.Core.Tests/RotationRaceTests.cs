using System.Diagnostics;
using System.Text;
using SecureVault.Identity;
using SecureVault.Rotation;
using SecureVault.Sessions;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// A manual clock that, once armed, runs an action the first time the engine asks it the time from
/// inside a named engine method: a way to make another operation commit at an exact point of this
/// one, as a second process could, without a test seam in the engine.
/// </summary>
public sealed class InterruptingClock : IClock
{
    private readonly ManualClock _inner = new();
    private string? _armedIn;
    private Action? _action;

    public DateTimeOffset UtcNow
    {
        get
        {
            if (_armedIn is { } method && _action is { } action && new StackTrace().ToString().Contains(method, StringComparison.Ordinal))
            {
                _armedIn = null;
                _action = null;
                action();
            }
            return _inner.UtcNow;
        }
    }

    /// <summary>True once the armed action has run.</summary>
    public bool Fired => _action is null;

    public void Arm(string insideMethod, Action action)
    {
        _armedIn = insideMethod;
        _action = action;
    }
}

/// <summary>
/// Rotation and rekey against operations that commit in the middle of them (found in review): a
/// password change during an unlock that renews a keyslot, a rekey during another principal's
/// unlock, a key removed and made again while a rotation's new value is being made; and what the
/// audit log may say about an exemption.
/// </summary>
public sealed class RotationRaceTests : IDisposable
{
    private static readonly byte[] NewPassword = Encoding.UTF8.GetBytes("a brand new long passphrase");
    private readonly InterruptingClock _clock = new();
    private readonly TestVault _vault;

    public RotationRaceTests()
    {
        _vault = new TestVault(_clock);
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    [Fact]
    public void A_password_change_committed_while_an_unlock_renews_the_keyslot_is_kept()
    {
        Secrets.WriteText(Engine, "k", "v");
        Engine.RekeyVault();
        Engine.Lock();
        _clock.Arm("RenewKeyslotCommitment", () => Engine.ChangePassword(TestVault.Password, NewPassword, "owner"));

        Engine.Unlock(TestVault.Password, "owner"); // renews with the old password, after the change committed
        Engine.Lock();

        Assert.True(_clock.Fired);
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.Password, "owner"));
        Engine.Unlock(NewPassword, "owner");
        Assert.Equal("v", Secrets.ReadText(Engine, "k"));
    }

    [Fact]
    public void A_rekey_committed_during_another_principal_s_unlock_is_no_integrity_failure()
    {
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        Engine.RekeyVault(); // bob's keyslot still commits to generation 0
        Engine.Lock();
        // The first clock read inside Authenticate is the attempt's count, before the key derivation
        // (armed on Authenticate, which is too large to be inlined, rather than on the small CountAttempt).
        _clock.Arm("Authenticate", () =>
        {
            Engine.Unlock(TestVault.Password, "owner");
            Engine.RekeyVault();
            Engine.Lock();
        });

        Engine.Unlock(RotationVault.BobPassword, "bob");

        Assert.True(_clock.Fired);
        Assert.True(Engine.IsUnlocked);
    }

    [Fact]
    public void A_rotation_whose_key_was_removed_and_made_again_meanwhile_writes_nothing()
    {
        Secrets.WriteText(Engine, "k", "old key's value");

        var refused = Assert.Throws<VaultRotationFailedException>(() => Engine.UpdateKey("k", current =>
        {
            var text = ((SecretText)current).ToPlainString();
            Engine.RemoveKey("k");
            Secrets.WriteText(Engine, "k", "another key's value"); // version 1 of a new key
            return SecretText.FromString(text + " rotated");
        }));

        Assert.Equal("RotationFailed", refused.ErrorId);
        Assert.Equal(1, Engine.GetKeyInfo("k").Version);
        Assert.Equal("another key's value", Secrets.ReadText(Engine, "k"));
    }

    [Fact]
    public void An_exemption_s_service_and_reason_stay_out_of_the_audit_record()
    {
        Engine.AddRotationExemption("payments-core", null, "vendor contract XYZ-123 pending", _clock.UtcNow.AddDays(10));

        var record = Assert.Single(Engine.GetAuditLog(new AuditFilter { Action = "exemption-add" }));

        Assert.DoesNotContain("vendor contract", record.Detail);
        Assert.DoesNotContain("payments-core", record.Detail);
        Assert.Equal("payments-core", Assert.Single(Engine.GetRotationExemptions()).Service);
    }

    [Fact]
    public void Lowering_the_default_versions_kept_prunes_keys_that_follow_it_at_once()
    {
        for (int i = 0; i < 5; i++) Secrets.WriteText(Engine, "follows", "v" + i);
        for (int i = 0; i < 5; i++) Secrets.WriteText(Engine, "own", "v" + i);
        Engine.SetRotationPolicy("own", new RotationPolicyChange(VersionsKept: 4));

        Engine.SetDefaultRotationPolicy(new RotationPolicyChange(VersionsKept: 2));

        Assert.Equal([5, 4], Engine.GetKeyHistory("follows").Select(v => v.Version));
        Assert.Equal(4, Engine.GetKeyHistory("own").Count);
    }

    [Fact]
    public void A_new_default_that_does_not_fit_a_key_s_own_values_is_refused_naming_the_key()
    {
        Secrets.WriteText(Engine, "k", "v");
        Engine.SetRotationPolicy("k", new RotationPolicyChange(Warning: TimeSpan.FromDays(30)));

        var refused = Assert.Throws<VaultInvalidInputException>(() => Engine.SetDefaultRotationPolicy(new RotationPolicyChange(MaxAge: TimeSpan.FromDays(20))));

        Assert.Contains("'k'", refused.Message);
        Assert.Equal(TimeSpan.FromDays(90), Engine.GetDefaultRotationPolicy().MaxAge);
    }
}
