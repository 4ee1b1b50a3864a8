using SecureVault.Crypto;
using SecureVault.Identity;

namespace SecureVault.Tests;

/// <summary>
/// Attempts made at the same time, by threads each with its own engine, never get more verdicts
/// (a wrong-password answer after a key derivation) than the lockout allowance left: every attempt
/// is counted before its KDF runs.
/// </summary>
public sealed class ParallelLockoutTests : IDisposable
{
    // Costly enough (about 10-30 ms per attempt) that the attempts really overlap.
    private static readonly KdfParameters SlowEnoughKdf = new(8 * 1024, 1, 1);
    private const int Attempts = 12;
    private readonly TestVault _vault = new(create: false);

    public ParallelLockoutTests()
    {
        _vault.Engine.Create(TestVault.Password, "owner", SlowEnoughKdf);
        _vault.Release();
    }

    public void Dispose() => _vault.Dispose();

    [Theory]
    [InlineData(null, 0)]
    [InlineData(null, 2)]
    [InlineData("nobody", 0)]   // an unknown name: its own counter, the same rules
    [InlineData("nobody", 3)]
    public void Twelve_simultaneous_wrong_passwords_get_no_more_verdicts_than_the_allowance_left(string? principal, int earlierFailures)
    {
        var engine = _vault.Reopen();
        for (int i = 0; i < earlierFailures; i++) Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(TestVault.WrongPassword, principal));

        var outcomes = RunAtOnce(Attempts, () => VaultEngine.Open(_vault.Path).Unlock(TestVault.WrongPassword, principal));

        int verdicts = outcomes.Count(e => e is VaultAuthenticationException);
        int refusals = outcomes.Count(e => e is VaultPrincipalLockedOutException);
        Assert.Equal(Attempts, verdicts + refusals); // nothing else: no storage errors, no untyped exceptions
        Assert.Equal(LockoutPolicy.MaxFailures - earlierFailures, verdicts);
        // The allowance is used up: even the right password is refused now.
        Assert.Throws<VaultPrincipalLockedOutException>(() => engine.Unlock(TestVault.Password, principal ?? "owner"));
    }

    [Fact]
    public void Parallel_guesses_at_a_name_that_does_not_exist_leave_the_real_principal_its_allowance()
    {
        var engine = _vault.Reopen();
        RunAtOnce(Attempts, () => VaultEngine.Open(_vault.Path).Unlock(TestVault.WrongPassword, "nobody"));

        engine.Unlock(TestVault.Password, "owner");
        Assert.True(engine.IsUnlocked);
    }

    [Fact]
    public void Twelve_simultaneous_right_passwords_all_unlock_and_lock_nobody_out()
    {
        // More parallel attempts than the allowance: each is counted before its KDF, and the one that
        // takes the last try makes the others wait for its verdict instead of locking them out.
        var outcomes = RunAtOnce(Attempts, () =>
        {
            var own = VaultEngine.Open(_vault.Path);
            own.Unlock(TestVault.Password);
            own.Lock();
        });

        Assert.All(outcomes, e => Assert.Null(e));
        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password);
        Assert.Equal(0, engine.GetPrincipals().Single().FailedAttempts);
    }

    [Fact]
    public void The_right_password_among_parallel_wrong_ones_either_unlocks_or_is_refused_as_locked_out()
    {
        var engine = _vault.Reopen();
        int index = 0;
        var outcomes = RunAtOnce(Attempts, () =>
        {
            var password = Interlocked.Increment(ref index) == Attempts / 2 ? TestVault.Password : TestVault.WrongPassword;
            var own = VaultEngine.Open(_vault.Path);
            own.Unlock(password);
            own.Lock();
        });
        // A success clears the count, so at most the allowance before it and the allowance after it.
        Assert.True(outcomes.Count(e => e is VaultAuthenticationException) <= 2 * LockoutPolicy.MaxFailures);
        Assert.All(outcomes, e => Assert.True(e is null or VaultAuthenticationException or VaultPrincipalLockedOutException, e?.ToString()));
    }

    /// <summary>Starts <paramref name="count"/> threads that run <paramref name="attempt"/> together; returns what each threw (null: nothing).</summary>
    private static List<Exception?> RunAtOnce(int count, Action attempt)
    {
        var outcomes = new Exception?[count];
        using var start = new Barrier(count);
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try { attempt(); }
            catch (Exception e) { outcomes[i] = e; } // collected and asserted by the caller
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return outcomes.ToList();
    }
}
