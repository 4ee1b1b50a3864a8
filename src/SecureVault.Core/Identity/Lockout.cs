namespace SecureVault.Identity;

/// <summary>
/// How repeated failed authentication locks a principal out: after <see cref="VaultLockoutPolicy.MaxFailures"/>
/// failures in a row, for <see cref="VaultLockoutPolicy.LockoutDuration"/>, doubling with each
/// further lockout up to <see cref="VaultLockoutPolicy.MaxLockoutDuration"/>. A success clears the
/// count. The state lives in the store, so every process sees the same count; an Admin may change
/// the policy (Set-VaultLockoutPolicy).
/// </summary>
internal static class LockoutPolicy
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan FirstLockout = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LongestLockout = TimeSpan.FromDays(1);

    /// <summary>The state after one more failure at <paramref name="nowMs"/> under <paramref name="policy"/>.</summary>
    public static LockoutState AfterFailure(LockoutState state, long nowMs, VaultLockoutPolicy policy)
    {
        int failures = state.Failures + 1;
        if (failures < policy.MaxFailures) return state with { Failures = failures };
        var length = TimeSpan.FromTicks(Math.Min(policy.MaxLockoutDuration.Ticks, policy.LockoutDuration.Ticks << Math.Min(state.Lockouts, 20)));
        return new LockoutState(0, state.Lockouts + 1, nowMs + (long)length.TotalMilliseconds);
    }

    /// <summary>
    /// Reserves one attempt before its key derivation runs. Attempts that leave an allowance are
    /// counted as failures at once (a success clears them). The one that takes the last try is the
    /// deciding attempt: it holds the count at <see cref="VaultLockoutPolicy.MaxFailures"/> without
    /// locking, because it may be the right password among parallel ones; its own failure starts the
    /// lockout (<see cref="AfterDecidingFailure"/>). Null while a deciding attempt is in flight: the
    /// caller waits for its verdict instead of getting one of its own, so however many attempts run
    /// at once, no more get a verdict than the allowance left, and parallel right passwords are not
    /// locked out by each other.
    /// </summary>
    public static (LockoutState After, bool Decides)? Reserve(LockoutState state, long nowMs, VaultLockoutPolicy policy)
    {
        if (state.Failures == policy.MaxFailures) return null; // the last try is in flight
        if (state.Failures > policy.MaxFailures) return (AfterFailure(state with { Failures = policy.MaxFailures - 1 }, nowMs, policy), false); // the policy was lowered
        if (state.Failures + 1 < policy.MaxFailures) return (state with { Failures = state.Failures + 1 }, false);
        return (state with { Failures = policy.MaxFailures }, true);
    }

    /// <summary>
    /// The lockout a deciding attempt's failure starts; when a success cleared the count meanwhile,
    /// the count stays as it is (a success ends the run of failures).
    /// </summary>
    public static LockoutState AfterDecidingFailure(LockoutState state, long nowMs, VaultLockoutPolicy policy) =>
        state.Failures >= policy.MaxFailures ? AfterFailure(state with { Failures = policy.MaxFailures - 1 }, nowMs, policy) : state;

    /// <summary>When the principal may try again, or null when it is not locked out now.</summary>
    public static DateTimeOffset? LockedUntil(LockoutState state, long nowMs) =>
        state.LockedUntilMs > nowMs ? DateTimeOffset.FromUnixTimeMilliseconds(state.LockedUntilMs) : null;
}

/// <summary>A principal's failed attempts in a row, its lockouts so far, and the end of the current one (0: none).</summary>
public sealed record LockoutState(int Failures, int Lockouts, long LockedUntilMs)
{
    public static readonly LockoutState Clear = new(0, 0, 0);

    public bool IsClear => Failures == 0 && Lockouts == 0 && LockedUntilMs == 0;
}

/// <summary>The vault's lockout policy.</summary>
public sealed class VaultLockoutPolicy
{
    public const int MaxAllowedFailures = 100;
    public static readonly TimeSpan MaxAllowedDuration = TimeSpan.FromDays(30);

    /// <summary>Failures in a row that lock a principal out (1 to 100; default 5).</summary>
    public int MaxFailures { get; init; } = LockoutPolicy.MaxFailures;
    /// <summary>The first lockout's length (default 15 minutes); each further lockout doubles it.</summary>
    public TimeSpan LockoutDuration { get; init; } = LockoutPolicy.FirstLockout;
    /// <summary>The longest a lockout lasts (default 1 day).</summary>
    public TimeSpan MaxLockoutDuration { get; init; } = LockoutPolicy.LongestLockout;
    public string? Vault { get; init; }

    /// <summary>Refuses values out of range, saying which are allowed.</summary>
    public VaultLockoutPolicy Validated()
    {
        if (MaxFailures is < 1 or > MaxAllowedFailures)
            throw new VaultInvalidInputException($"-MaxFailures must be between 1 and {MaxAllowedFailures}.");
        if (LockoutDuration < TimeSpan.FromSeconds(1) || LockoutDuration > MaxAllowedDuration)
            throw new VaultInvalidInputException($"-LockoutDuration must be between 1 second and {MaxAllowedDuration.TotalDays} days (for example '00:15:00').");
        if (MaxLockoutDuration < LockoutDuration || MaxLockoutDuration > MaxAllowedDuration)
            throw new VaultInvalidInputException($"-MaxLockoutDuration must be at least -LockoutDuration and at most {MaxAllowedDuration.TotalDays} days.");
        return this;
    }
}
