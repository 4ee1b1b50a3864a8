using System.Management.Automation;
using SecureVault.Identity;

namespace SecureVault.PowerShell.Commands;

/// <summary>Changes a vault's lockout policy; only the values given change. Admins only; audited.</summary>
[Cmdlet(VerbsCommon.Set, "VaultLockoutPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultLockoutPolicy))]
public sealed class SetVaultLockoutPolicyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>Failed attempts in a row that lock a principal out (1 to 100).</summary>
    [Parameter]
    [ValidateRange(1, VaultLockoutPolicy.MaxAllowedFailures)]
    public int? MaxFailures { get; set; }

    /// <summary>The first lockout's length (1 second to 30 days); each further lockout doubles it.</summary>
    [Parameter]
    public TimeSpan? LockoutDuration { get; set; }

    /// <summary>The longest a lockout lasts (at least -LockoutDuration, at most 30 days).</summary>
    [Parameter]
    public TimeSpan? MaxLockoutDuration { get; set; }

    /// <summary>Writes the policy after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (MaxFailures is null && LockoutDuration is null && MaxLockoutDuration is null)
            ThrowTerminatingError(VaultErrors.InvalidArgument("Give -MaxFailures, -LockoutDuration, -MaxLockoutDuration or several of them.", DefaultErrorTarget));
        Invoke(engine =>
        {
            var changes = string.Join(", ", new[]
            {
                MaxFailures is { } failures ? $"lock out after {failures} failures" : null,
                LockoutDuration is { } first ? $"first lockout {first}" : null,
                MaxLockoutDuration is { } longest ? $"longest lockout {longest}" : null,
            }.OfType<string>());
            if (!ShouldProcess(engine.Vault, $"Set the lockout policy: {changes}")) return;
            var policy = engine.SetLockoutPolicy(MaxFailures, LockoutDuration, MaxLockoutDuration);
            if (PassThru) WriteObject(policy);
        });
    }
}
