using System.Management.Automation;
using SecureVault.Access;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Removes one keyslot, by id (from Get-VaultPrincipal's Keyslots): one's own, or, for an Admin,
/// any principal's (a lost certificate). A principal's last keyslot cannot be removed. Audited.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VaultKeyslot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class RemoveVaultKeyslotCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The keyslot's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public Guid Id { get; set; }

    /// <summary>Whose keyslot (default: the unlocked principal's).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultPrincipalNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    /// <summary>Writes the principal after the removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (!ShouldProcess($"keyslot {Id} of {Principal ?? "the unlocked principal"} in {engine.Vault}", "Remove keyslot")) return;
            var info = engine.RemoveKeyslot(Id, Principal);
            if (PassThru) WriteObject(info);
        }, Id.ToString());
    }
}
