using System.Diagnostics;
using SecureVault.Access;
using SecureVault.Identity;
using SecureVault.Rotation;
using SecureVault.Values;
using Xunit.Abstractions;

namespace SecureVault.Tests;

/// <summary>
/// Invoke-VaultRotation in the engine: one result per selected key in name order, a failing key
/// reported without stopping the run, declined keys skipped with nothing written, and an audit
/// record for every attempt.
/// </summary>
public sealed class RotationRunTests(ITestOutputHelper output) : IDisposable
{
    private readonly RotationVault _v = new();

    public void Dispose() => _v.Dispose();

    private VaultEngine Engine => _v.Engine;

    private static SecretValue Renewed(string name, SecretValue current) =>
        SecretText.FromString(Assert.IsType<SecretText>(current).ToPlainString() + " renewed");

    [Fact]
    public void Rotating_1000_due_keys_with_one_failing_in_the_middle_rotates_the_other_999_and_reports_each()
    {
        const int Count = 1000;
        const string Failing = "key-0500";
        var names = Enumerable.Range(0, Count).Select(i => $"key-{i:D4}").ToArray();
        var clock = Stopwatch.StartNew();
        // Written in reverse, so the name order of the results is the engine's doing, not the write order.
        foreach (var name in names.Reverse()) _v.Write(name, "old " + name);
        output.WriteLine($"wrote {Count} keys in {clock.Elapsed.TotalSeconds:0.0} s");
        _v.AdvanceDays(100);
        _v.Write("key-fresh", "not due"); // written after the clock moved: Ok, so not selected

        long before = _v.LastSeq();
        var mismatches = new List<string>();
        var progress = new List<RotationProgressInfo>();
        clock.Restart();
        var results = Engine.RotateKeys(null, dueOnly: true, (name, current) =>
        {
            if (Assert.IsType<SecretText>(current).ToPlainString() != "old " + name) mismatches.Add(name);
            if (name == Failing) throw new InvalidOperationException("the token service refused the new value");
            return SecretText.FromString("new " + name);
        }, progress: progress.Add).ToList();
        output.WriteLine($"rotated {Count} keys in {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Empty(mismatches);
        Assert.Equal(names, results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal((RotationState.Blocked, 1), (r.StateBefore, r.PreviousVersion)));
        var failed = Assert.Single(results, r => r.Outcome == RotationOutcome.Failed);
        Assert.Equal(Failing, failed.Name);
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
        Assert.Null(failed.NewVersion);
        Assert.IsType<VaultRotationFailedException>(failed.Error);
        Assert.Equal(Count - 1, results.Count(r => r.Outcome == RotationOutcome.Rotated && r.NewVersion == 2 && r.Reason is null));

        var status = Engine.GetRotationStatus("key-*").ToDictionary(s => s.Name);
        foreach (var name in names.Where(n => n != Failing))
            Assert.True(status[name] is { Version: 2, State: RotationState.Ok }, $"{name}: version {status[name].Version}, {status[name].State}");
        Assert.Equal((1, RotationState.Blocked), (status[Failing].Version, status[Failing].State));
        Assert.Equal((1, RotationState.Ok), (status["key-fresh"].Version, status["key-fresh"].State));
        Assert.Equal("new key-0499", Secrets.ReadText(Engine, "key-0499"));
        Assert.Throws<VaultKeyExpiredException>(() => Engine.GetKey(Failing));

        var rotateRecords = _v.AuditSince(before).Where(r => r.Action == "rotate").ToList();
        Assert.Equal(Count, rotateRecords.Count);
        Assert.Equal(Count - 1, rotateRecords.Count(r => r.Outcome == "success"));
        var error = Assert.Single(rotateRecords, r => r.Outcome != "success");
        Assert.Equal(("error", Failing), (error.Outcome, error.Name));
        Assert.Equal(names, rotateRecords.Select(r => r.Name));
        // Each attempt also records the read of the current value it handed to the producer.
        var runGets = _v.AuditSince(before).Where(r => r.Action == "get" && r.Seq < rotateRecords[^1].Seq).ToList();
        Assert.Equal(names, runGets.Select(r => r.Name));
        Assert.All(runGets, r => Assert.Equal("success", r.Outcome));

        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Equal(Count, p.Total));
        Assert.Equal(progress.Select(p => p.Done).Order(), progress.Select(p => p.Done));
        Assert.Equal(Count, progress[^1].Done);
    }

    [Fact]
    public void Keys_declined_by_the_confirmation_are_Skipped_and_nothing_is_written()
    {
        _v.Write("a", "a value");
        _v.Write("b", "b value");
        _v.AdvanceDays(91);
        long before = _v.LastSeq();
        int produced = 0;

        var results = Engine.RotateKeys(null, dueOnly: true, (name, current) => { produced++; return Renewed(name, current); },
            confirm: _ => false).ToList();

        Assert.Equal([("a", RotationOutcome.Skipped), ("b", RotationOutcome.Skipped)], results.Select(r => (r.Name, r.Outcome)));
        Assert.All(results, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.Equal(0, produced);
        Assert.Equal([1, 1], Engine.GetRotationStatus().Select(s => s.Version));
        Assert.DoesNotContain(_v.AuditSince(before), r => r.Action is "rotate" or "set" or "get");
        Assert.Equal("a value", Secrets.ReadText(Engine, "a"));
    }

    [Fact]
    public void The_confirmation_sees_each_key_s_status_and_may_decline_some()
    {
        _v.Write("a", "a value");
        _v.Write("b", "b value");
        _v.AdvanceDays(91);
        var asked = new List<(string, RotationState)>();

        var results = Engine.RotateKeys(null, dueOnly: true, Renewed, confirm: s => { asked.Add((s.Name, s.State)); return s.Name == "b"; }).ToList();

        Assert.Equal([("a", RotationState.Overdue), ("b", RotationState.Overdue)], asked);
        Assert.Equal([RotationOutcome.Skipped, RotationOutcome.Rotated], results.Select(r => r.Outcome));
        Assert.Equal("a value", Secrets.ReadText(Engine, "a"));
        Assert.Equal("b value renewed", Secrets.ReadText(Engine, "b"));
    }

    [Fact]
    public void Due_selects_Warning_Overdue_and_Blocked_keys_but_not_Ok_or_Exempt_ones()
    {
        _v.Write("blocked", "1");
        _v.Write("exempt", "2");
        _v.AdvanceDays(12);
        _v.Write("overdue", "3");
        _v.AdvanceDays(12);
        _v.Write("warning", "4");
        _v.AdvanceDays(12);
        _v.Write("ok", "5");
        _v.AdvanceDays(68); // ages now: 104, 104, 92, 80, 68 days
        Engine.AddRotationExemption(null, "exempt", "frozen", _v.Clock.UtcNow.AddDays(1));

        var results = Engine.RotateKeys(null, dueOnly: true, Renewed).ToList();

        Assert.Equal([("blocked", RotationState.Blocked), ("overdue", RotationState.Overdue), ("warning", RotationState.Warning)],
            results.Select(r => (r.Name, r.StateBefore)));
        Assert.All(results, r => Assert.Equal(RotationOutcome.Rotated, r.Outcome));
        Assert.Equal((1, 1), (Engine.GetKeyInfo("ok").Version, Engine.GetKeyInfo("exempt").Version));
    }

    [Fact]
    public void Without_Due_every_key_matching_the_name_is_rotated_whatever_its_state()
    {
        _v.Write("api/one", "1");
        _v.Write("api/two", "2");
        _v.Write("other", "3");

        var results = Engine.RotateKeys("API/*", dueOnly: false, Renewed).ToList();

        Assert.Equal(["api/one", "api/two"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal((RotationOutcome.Rotated, RotationState.Ok, 2), (r.Outcome, r.StateBefore, r.NewVersion)));
        Assert.Equal("1 renewed", Secrets.ReadText(Engine, "api/one"));
        Assert.Equal(1, Engine.GetKeyInfo("other").Version);
    }

    [Fact]
    public void A_producer_returning_nothing_fails_that_key_only()
    {
        _v.Write("a", "1");
        _v.Write("b", "2");

        var results = Engine.RotateKeys(null, dueOnly: false, (name, current) => name == "a" ? null : Renewed(name, current)).ToList();

        Assert.Equal([RotationOutcome.Failed, RotationOutcome.Rotated], results.Select(r => r.Outcome));
        Assert.Equal("RotationFailed", Assert.IsAssignableFrom<VaultException>(results[0].Error).ErrorId);
        Assert.Equal(1, Engine.GetKeyInfo("a").Version);
    }

    [Fact]
    public void A_key_the_caller_may_not_rotate_is_skipped_without_an_attempt_and_the_run_goes_on()
    {
        _v.Write("owner-key", "1");
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read);
        var engine = _v.As("bob", RotationVault.BobPassword);
        Secrets.WriteText(engine, "bob-key", "2");
        var called = new List<string>();

        var results = engine.RotateKeys(null, dueOnly: false, (name, value) => { called.Add(name); return Renewed(name, value); }).ToList();

        Assert.Equal([("bob-key", RotationOutcome.Rotated), ("owner-key", RotationOutcome.Skipped)], results.Select(r => (r.Name, r.Outcome)));
        Assert.Contains("permission", results[1].Reason);
        Assert.Equal(["bob-key"], called);
        // Not an attempt: no rotate record and no access-denied alert for the key it may only read.
        Assert.DoesNotContain(engine.GetKeyHistory("owner-key"), v => v.Version > 1);
        var owner = _v.AsOwner();
        Assert.DoesNotContain(owner.GetAuditLog(new AuditFilter { Action = "rotate" }), r => r.Name == "owner-key");
    }

    [Fact]
    public void A_grant_of_rotate_and_read_lets_a_principal_rotate_the_key_in_a_run()
    {
        _v.Write("owner-key", "1");
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read | KeyPermissions.Rotate);
        var engine = _v.As("bob", RotationVault.BobPassword);

        var result = Assert.Single(engine.RotateKeys("owner-key", dueOnly: false, Renewed));

        Assert.Equal((RotationOutcome.Rotated, 2), (result.Outcome, result.NewVersion));
    }

    [Fact]
    public void Nothing_due_means_no_results_and_no_calls()
    {
        _v.Write("a", "1");
        Assert.Empty(Engine.RotateKeys(null, dueOnly: true, (_, _) => throw new InvalidOperationException("must not be called")).ToList());
    }
}
