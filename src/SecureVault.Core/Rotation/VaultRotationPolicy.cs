// Rotation policies (ARCHITECTURE.md section 8): a key is due MaxAge after its current version was
// written, warns Warning before that, and is blocked Grace after it. Durations are TimeSpans so a
// test (or a cautious admin trying a policy out) can use seconds; the cmdlets take whole days by default.
namespace SecureVault.Rotation;

/// <summary>A complete rotation policy: the vault's default, or a key's effective policy.</summary>
public sealed record VaultRotationPolicy(TimeSpan MaxAge, TimeSpan Warning, TimeSpan Grace, int VersionsKept)
{
    public static readonly TimeSpan MaxMaxAge = TimeSpan.FromDays(3650);
    public static readonly TimeSpan MaxGrace = TimeSpan.FromDays(365);
    public const int MaxVersionsKept = 100;

    /// <summary>90 days, warning 14 days before, grace 7 days after, the last 10 versions kept.</summary>
    public static VaultRotationPolicy Default { get; } = new(TimeSpan.FromDays(90), TimeSpan.FromDays(14), TimeSpan.FromDays(7), VaultEngine.DefaultVersionsKept);

    /// <summary>Refuses a policy out of range, saying which value and what is allowed.</summary>
    public VaultRotationPolicy Validated()
    {
        if (MaxAge < TimeSpan.FromSeconds(1) || MaxAge > MaxMaxAge)
            throw new VaultInvalidInputException($"-MaxAge must be between 1 second and {MaxMaxAge.TotalDays:0} days (it was {Describe(MaxAge)}).");
        if (Warning < TimeSpan.Zero || Warning > MaxAge)
            throw new VaultInvalidInputException($"-Warning must be between 0 and -MaxAge ({Describe(MaxAge)}); it was {Describe(Warning)}.");
        if (Grace < TimeSpan.Zero || Grace > MaxGrace)
            throw new VaultInvalidInputException($"-Grace must be between 0 and {MaxGrace.TotalDays:0} days (it was {Describe(Grace)}).");
        if (VersionsKept is < 1 or > MaxVersionsKept)
            throw new VaultInvalidInputException($"-VersionsKept must be between 1 and {MaxVersionsKept} (it was {VersionsKept}).");
        return this;
    }

    /// <summary>A duration as people say it: "90 days", "36 hours", "00:00:05".</summary>
    public static string Describe(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.TotalDays:0} days" : span.ToString("c");

    public override string ToString() =>
        $"MaxAge {Describe(MaxAge)}, Warning {Describe(Warning)}, Grace {Describe(Grace)}, VersionsKept {VersionsKept}";
}

/// <summary>
/// What Set-VaultRotationPolicy changes: null leaves a value as it is (for a key: inherited from
/// the default). <see cref="Inherit"/> drops a key's own values first, so it follows the default again.
/// </summary>
public sealed record RotationPolicyChange(TimeSpan? MaxAge = null, TimeSpan? Warning = null, TimeSpan? Grace = null,
    int? VersionsKept = null, bool Inherit = false);

/// <summary>A policy as Get-VaultRotationPolicy shows it: the default, or one key's effective policy.</summary>
public sealed class VaultRotationPolicyInfo
{
    /// <summary>"(default)" for the vault-wide default, else the key's name.</summary>
    public required string Scope { get; init; }
    public required TimeSpan MaxAge { get; init; }
    public required TimeSpan Warning { get; init; }
    public required TimeSpan Grace { get; init; }
    public required int VersionsKept { get; init; }
    /// <summary>The values a key sets itself (the rest come from the default): "MaxAge", "Warning", "Grace", "VersionsKept".</summary>
    public required string[] Overrides { get; init; }
    public required string Vault { get; init; }

    public const string DefaultScope = "(default)";
}
