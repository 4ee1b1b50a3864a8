using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Changes a rotation policy: the vault-wide default (-Default), or the policy of every key -Name
/// matches. Only the values given change; a key's values not given keep following the default, and
/// -Inherit drops a key's own values first. Admins only; audited.
/// </summary>
[Cmdlet(VerbsCommon.Set, "VaultRotationPolicy", DefaultParameterSetName = ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultRotationPolicyInfo))]
public sealed class SetVaultRotationPolicyCommand : VaultCommandBase
{
    private const string ByName = "Name";
    private const string DefaultSet = "Default";

    #region Parameters

    /// <summary>A key name or a wildcard pattern over existing keys.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Changes the vault-wide default that every key without its own values follows.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DefaultSet)]
    public SwitchParameter Default { get; set; }

    /// <summary>How long a version may be used before it is due: days, or a TimeSpan (1 second to 3650 days).</summary>
    [Parameter]
    [DaysOrTimeSpan]
    public TimeSpan? MaxAge { get; set; }

    /// <summary>How long before the due date reads start to warn: days, or a TimeSpan (0 to -MaxAge).</summary>
    [Parameter]
    [DaysOrTimeSpan]
    public TimeSpan? Warning { get; set; }

    /// <summary>How long after the due date reads still work (with a warning) before they are blocked: days, or a TimeSpan (0 to 365 days).</summary>
    [Parameter]
    [DaysOrTimeSpan]
    public TimeSpan? Grace { get; set; }

    /// <summary>How many versions of a key are kept (1 to 100).</summary>
    [Parameter]
    public int? VersionsKept { get; set; }

    /// <summary>Drops the keys' own values first, so they follow the default again (except for values given with it).</summary>
    [Parameter(ParameterSetName = ByName)]
    public SwitchParameter Inherit { get; set; }

    /// <summary>Writes the policies after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (MaxAge is null && Warning is null && Grace is null && VersionsKept is null && !Inherit)
            ThrowTerminatingError(VaultErrors.InvalidArgument(
                "Give -MaxAge, -Warning, -Grace, -VersionsKept" + (Default ? "" : " or -Inherit") + ", or several of them.", DefaultErrorTarget));
        Invoke(engine =>
        {
            var change = new RotationPolicyChange(MaxAge, Warning, Grace, VersionsKept, Inherit);
            var target = Default ? $"the default rotation policy of {engine.Vault}" : $"the rotation policy of {Name} in {engine.Vault}";
            if (!ShouldProcess(target, "Set " + Describe(change))) return;
            IReadOnlyList<VaultRotationPolicyInfo> policies = Default ? [engine.SetDefaultRotationPolicy(change)] : engine.SetRotationPolicy(Name, change);
            if (PassThru) foreach (var policy in policies) WriteObject(policy);
        }, Default ? null : Name);
    }

    private static string Describe(RotationPolicyChange change) => string.Join(", ", new[]
    {
        change.Inherit ? "inherit the default" : null,
        change.MaxAge is { } maxAge ? $"MaxAge {VaultRotationPolicy.Describe(maxAge)}" : null,
        change.Warning is { } warning ? $"Warning {VaultRotationPolicy.Describe(warning)}" : null,
        change.Grace is { } grace ? $"Grace {VaultRotationPolicy.Describe(grace)}" : null,
        change.VersionsKept is { } kept ? $"VersionsKept {kept}" : null,
    }.OfType<string>());
}
