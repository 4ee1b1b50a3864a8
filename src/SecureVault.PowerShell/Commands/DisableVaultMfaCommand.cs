using System.Management.Automation;
using SecureVault.Access;
using SecureVault.Identity;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Turns a principal's TOTP second factor off (or drops a pending enrolment): one's own with a
/// current code from the device, or anyone's, without a code, by an Admin (for a lost device).
/// Asks for confirmation; audited (mfa-disable).
/// </summary>
[Cmdlet(VerbsLifecycle.Disable, "VaultMfa", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class DisableVaultMfaCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The principal whose MFA is turned off (default: the unlocked principal). Another principal's: Admins only.</summary>
    /// <remarks>Also binds the Name of principals piped from Get-VaultPrincipal.</remarks>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(VaultPrincipalNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    /// <summary>A current 6-digit code from the principal's device: how a principal that is not an Admin turns its own MFA off.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Code { get; set; }

    /// <summary>Writes the principal after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            // Resolve the target first, so -WhatIf and -Confirm only ever speak of a principal that exists.
            var name = Principal is null
                ? engine.GetStatus().Principal ?? throw new VaultLockedException(engine.Vault)
                : PrincipalNames.Validate(Principal);
            var current = engine.GetPrincipals(name).Single();
            var change = current.MfaEnabled
                ? "Turn MFA off: password unlocks then need no code"
                : "Drop the pending MFA enrolment, if any (MFA is not on)";
            if (!ShouldProcess($"{current.Name} in {engine.Vault}", change)) return;
            var updated = engine.DisableMfa(Principal is null ? null : current.Name, Code);
            if (PassThru) WriteObject(updated);
        }, Principal);
    }
}
