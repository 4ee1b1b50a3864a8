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
