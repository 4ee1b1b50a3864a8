using SecureVault.Audit;
using SecureVault.Identity;
using SecureVault.Storage;

namespace SecureVault;

public sealed partial class VaultEngine
{
    /// <summary>
    /// One authentication attempt against one lockout counter (a principal's id, or the pseudo id of
    /// a name no principal has): filled in by <see cref="CountAttempt"/> before any key derivation runs.
    /// </summary>
    private sealed class AuthenticationAttempt(Guid lockoutKey)
    {
        public Guid LockoutKey { get; } = lockoutKey;

        /// <summary>The stored state before and after this attempt was counted; null while not counted.</summary>
        public LockoutState? Before { get; set; }
        public LockoutState? After { get; set; }

        /// <summary>This attempt took the last try: its failure starts the lockout.</summary>
        public bool Decides { get; set; }

        public bool Counted => After != null;
    }

    /// <summary>
    /// How long an attempt waits for the verdict of a deciding attempt in flight (one key derivation,
    /// normally well under a second) before it takes that attempt for lost (its process died) and
    /// starts the lockout: the safe direction.
    /// </summary>
    private static readonly TimeSpan DecidingAttemptWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Counts <paramref name="attempt"/> before its key derivation runs, in its own durable write
    /// transaction, or refuses it when the principal (or name) is locked out. The write lock
    /// serializes the count, so however many attempts run at once, no more of them reach the KDF
    /// than the allowance left (<see cref="LockoutPolicy.Reserve"/>): while the attempt that took the
    /// last try is in flight, later ones wait for its verdict. A success clears the count
    /// (<see cref="ClearLockout"/>), a wrong password leaves it counted, and a crash between this
    /// count and the verdict leaves it counted too: the safe direction.
    /// </summary>
    private void CountAttempt(AuthenticationAttempt attempt, string name)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            long now = NowMs();
            bool reserved = _store.Write(w =>
            {
                var before = w.Lockout(attempt.LockoutKey);
                if (LockoutPolicy.LockedUntil(before, now) is { } until) throw new VaultPrincipalLockedOutException(name, until) { Target = name };
                var policy = LockoutPolicyOf(w);
                if (LockoutPolicy.Reserve(before, now, policy) is not var (after, decides))
                {
                    if (waited.Elapsed < DecidingAttemptWait) return false;
                    // The deciding attempt never came back: its failure is taken as given.
                    var locked = LockoutPolicy.AfterDecidingFailure(before, now, policy);
                    w.SetLockout(attempt.LockoutKey, locked);
                    throw new VaultPrincipalLockedOutException(name, LockoutPolicy.LockedUntil(locked, now)!.Value) { Target = name };
                }
                w.SetLockout(attempt.LockoutKey, after);
                attempt.Before = before;
                attempt.After = after;
                attempt.Decides = decides;
                return true;
            });
            if (reserved) return;
            Thread.Sleep(25);
        }
    }

    /// <summary>
    /// Takes back an attempt whose credential proved itself but that was refused for another reason
    /// (a second factor not given, a disabled principal): it was no guess. Only when nothing else
    /// has counted meanwhile; otherwise it stays counted, the safe direction.
    /// </summary>
    private void UncountAttempt(AuthenticationAttempt attempt)
    {
        if (attempt.Before is not { } before || attempt.After is not { } after) return;
        _store.Write(w =>
        {
            if (w.Lockout(attempt.LockoutKey) == after) w.SetLockout(attempt.LockoutKey, before);
            return 0;
        });
    }

    /// <summary>
    /// For the audit record of a failed attempt: says when it locked the principal out. An attempt
    /// that was not counted beforehand (a refusal before <see cref="CountAttempt"/>) is counted now.
    /// </summary>
    private void RecordFailure(IVaultWriter writer, AuthenticationAttempt attempt, AuditFacts facts)
    {
        if (!attempt.Counted)
        {
            CountFailure(writer, attempt.LockoutKey, facts);
            return;
        }
        if (!attempt.Decides) return;
        long now = NowMs();
        var state = LockoutPolicy.AfterDecidingFailure(writer.Lockout(attempt.LockoutKey), now, LockoutPolicyOf(writer));
        writer.SetLockout(attempt.LockoutKey, state);
        if (LockoutPolicy.LockedUntil(state, now) is { } until) facts.Detail = $"locked out until {AuditEntry.FormatTime(until.ToUnixTimeMilliseconds())}";
    }
}
