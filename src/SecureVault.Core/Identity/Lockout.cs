namespace SecureVault.Identity;

/// <summary>
/// How repeated failed authentication locks a principal out: after <see cref="MaxFailures"/>
/// failures in a row, for <see cref="FirstLockout"/>, doubling with each further lockout up to
/// <see cref="LongestLockout"/>. A success clears the count. The state lives in the store, so
/// every process sees the same count (issue 5 makes the policy configurable by an Admin).
/// </summary>
internal static class LockoutPolicy
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan FirstLockout = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LongestLockout = TimeSpan.FromDays(1);

    /// <summary>The state after one more failure at <paramref name="nowMs"/>.</summary>
    public static LockoutState AfterFailure(LockoutState state, long nowMs)
    {
        int failures = state.Failures + 1;
        if (failures < MaxFailures) return state with { Failures = failures };
        var length = TimeSpan.FromTicks(Math.Min(LongestLockout.Ticks, FirstLockout.Ticks << Math.Min(state.Lockouts, 20)));
        return new LockoutState(0, state.Lockouts + 1, nowMs + (long)length.TotalMilliseconds);
    }

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
