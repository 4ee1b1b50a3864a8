using SecureVault.Rotation;

namespace SecureVault.Tests;

/// <summary>
/// A key's rotation state follows the time its current version was written: Ok, then Warning
/// (Warning before the due date), Overdue (from the due date), Blocked (Grace after it), and Ok
/// again once rotated. Every boundary is checked one second before and at the boundary.
/// </summary>
public sealed class RotationStatusTests : IDisposable
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly RotationVault _v = new();

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    [Fact]
    public void A_new_key_is_Ok_with_its_due_date_90_days_and_its_block_97_days_after_it_was_written()
    {
        _v.Write("db/password", "first");

        var status = _v.Status("db/password");
        Assert.Equal(RotationState.Ok, status.State);
        Assert.False(status.IsDue);
        Assert.Equal(1, status.Version);
        Assert.Equal(_v.Start.UtcDateTime, status.LastRotated);
        Assert.Equal(_v.Start.UtcDateTime.AddDays(90), status.DueDate);
        Assert.Equal(_v.Start.UtcDateTime.AddDays(97), status.BlockedFrom);
        Assert.Equal(90, status.DaysLeft);
        Assert.Equal(TimeSpan.Zero, status.Age);
        Assert.Equal(VaultRotationPolicy.Default, status.Policy);
        Assert.Null(status.ExemptUntil);
    }

    [Fact]
    public void With_the_default_policy_a_key_goes_Ok_Warning_Overdue_Blocked_at_76_90_and_97_days()
    {
        _v.Write("db/password", "first");

        var steps = new (TimeSpan At, RotationState State)[]
        {
            (TimeSpan.FromDays(76) - Second, RotationState.Ok),
            (TimeSpan.FromDays(76), RotationState.Warning),
            (TimeSpan.FromDays(90) - Second, RotationState.Warning),
            (TimeSpan.FromDays(90), RotationState.Overdue),
            (TimeSpan.FromDays(97) - Second, RotationState.Overdue),
            (TimeSpan.FromDays(97), RotationState.Blocked),
            (TimeSpan.FromDays(400), RotationState.Blocked),
        };
        foreach (var (at, state) in steps)
        {
            _v.AdvanceTo(at);
            var status = _v.Status("db/password");
            Assert.True(state == status.State, $"at {at}: expected {state}, was {status.State}");
            Assert.Equal(state is RotationState.Warning or RotationState.Overdue or RotationState.Blocked, status.IsDue);
            Assert.Equal(at, status.Age);
        }
        Assert.Equal(90 - 400, _v.Status("db/password").DaysLeft);
    }

    [Fact]
    public void A_key_policy_of_its_own_sets_its_states_while_other_keys_keep_the_default()
    {
        _v.Write("short-lived", "s");
        _v.Write("ordinary", "o");
        Engine.SetRotationPolicy("short-lived", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(10), Warning: TimeSpan.FromDays(2), Grace: TimeSpan.FromDays(1)));

        var status = _v.Status("short-lived");
        Assert.Equal(new VaultRotationPolicy(TimeSpan.FromDays(10), TimeSpan.FromDays(2), TimeSpan.FromDays(1), 10), status.Policy);
        Assert.Equal(_v.Start.UtcDateTime.AddDays(10), status.DueDate);
        Assert.Equal(_v.Start.UtcDateTime.AddDays(11), status.BlockedFrom);

        var steps = new (double Days, RotationState State)[]
        {
            (7.9, RotationState.Ok), (8, RotationState.Warning), (9.9, RotationState.Warning),
            (10, RotationState.Overdue), (10.9, RotationState.Overdue), (11, RotationState.Blocked),
        };
        foreach (var (days, state) in steps)
        {
            _v.AdvanceTo(TimeSpan.FromDays(days));
            Assert.True(state == _v.State("short-lived"), $"at day {days}: expected {state}, was {_v.State("short-lived")}");
            Assert.Equal(RotationState.Ok, _v.State("ordinary"));
        }
    }

    [Fact]
    public void A_policy_in_seconds_blocks_a_key_seconds_after_it_was_written()
    {
        _v.Write("k", "v");
        Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromSeconds(2), Warning: TimeSpan.Zero, Grace: TimeSpan.FromSeconds(1)));
        Assert.Equal(RotationState.Ok, _v.State("k"));
        _v.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(RotationState.Overdue, _v.State("k")); // no warning period at all
        _v.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RotationState.Blocked, _v.State("k"));
    }

    [Fact]
    public void A_warning_as_long_as_the_maximum_age_warns_at_once()
    {
        _v.Write("k", "v");
        Engine.SetRotationPolicy("k", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(5), Warning: TimeSpan.FromDays(5)));
        Assert.Equal(RotationState.Warning, _v.State("k"));
    }

    [Fact]
    public void Changing_the_default_moves_every_key_that_follows_it_but_not_one_with_its_own_maximum_age()
    {
        _v.Write("follows", "1");
        _v.Write("own", "2");
        Engine.SetRotationPolicy("own", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(200)));
        Engine.SetDefaultRotationPolicy(new RotationPolicyChange(MaxAge: TimeSpan.FromDays(30)));

        _v.AdvanceDays(31);
        Assert.Equal(RotationState.Overdue, _v.State("follows"));
        Assert.Equal(_v.Start.UtcDateTime.AddDays(37), _v.Status("follows").BlockedFrom);
        Assert.Equal(RotationState.Ok, _v.State("own"));
        Assert.Equal(TimeSpan.FromDays(14), _v.Status("own").Policy.Warning); // inherited from the default
    }

    [Fact]
    public void Rotating_a_blocked_key_makes_it_Ok_again_from_the_time_of_the_rotation()
    {
        _v.Write("db/password", "first");
        _v.AdvanceDays(100);
        Assert.Equal(RotationState.Blocked, _v.State("db/password"));

        var info = _v.Rotate("db/password", "second");

        Assert.Equal(2, info.Version);
        var status = _v.Status("db/password");
        Assert.Equal((RotationState.Ok, 2), (status.State, status.Version));
        Assert.Equal(_v.Now, status.LastRotated);
        Assert.Equal(_v.Now.AddDays(90), status.DueDate);
        Assert.Equal("second", Secrets.ReadText(Engine, "db/password"));
    }

    [Fact]
    public void Writing_a_new_value_with_SetKey_also_restarts_the_clock()
    {
        _v.Write("k", "first");
        _v.AdvanceDays(91);
        Assert.Equal(RotationState.Overdue, _v.State("k"));
        _v.Write("k", "second");
        Assert.Equal(RotationState.Ok, _v.State("k"));
    }

    [Fact]
    public void Changing_only_metadata_does_not_count_as_a_rotation()
    {
        _v.Write("k", "first");
        _v.AdvanceDays(91);
        Engine.UpdateKeyInfo("k", new KeyUpdate(Description: "touched"));
        Assert.Equal(RotationState.Overdue, _v.State("k"));
        Assert.Equal(_v.Start.UtcDateTime, _v.Status("k").LastRotated);
    }

    [Fact]
    public void Status_is_sorted_by_name_and_filters_by_name_state_and_due()
    {
        _v.Write("c-old", "1");
        _v.Write("A-old", "1");
        _v.AdvanceDays(80);
        _v.Write("b-new", "1");
        _v.Write("api/new", "1");

        Assert.Equal(["A-old", "api/new", "b-new", "c-old"], Engine.GetRotationStatus().Select(s => s.Name));
        Assert.Equal(["A-old", "c-old"], Engine.GetRotationStatus(dueOnly: true).Select(s => s.Name));
        Assert.Equal(["api/new", "b-new"], Engine.GetRotationStatus(state: RotationState.Ok).Select(s => s.Name));
        Assert.Equal(["A-old", "api/new"], Engine.GetRotationStatus("a*").Select(s => s.Name));
        Assert.Empty(Engine.GetRotationStatus(state: RotationState.Blocked));
        Assert.Empty(Engine.GetRotationStatus("nothing*"));
    }

    [Fact]
    public void A_Viewer_may_read_the_status_and_the_listing_is_audited()
    {
        _v.Write("k", "v");
        Engine.NewPrincipal("vera", Identity.Role.Viewer, RotationVault.VeraPassword);
        var engine = _v.As("vera", RotationVault.VeraPassword);
        Assert.Equal(RotationState.Ok, Assert.Single(engine.GetRotationStatus()).State);
        _v.AsOwner();
        var record = Engine.GetAuditLog().Last(r => r.Action == "rotation-read");
        Assert.Equal(("vera", "success"), (record.Principal, record.Outcome));
    }

    [Fact]
    public void A_locked_vault_gives_no_status()
    {
        _v.Write("k", "v");
        Engine.Lock();
        Assert.Throws<VaultLockedException>(() => Engine.GetRotationStatus());
    }
}
