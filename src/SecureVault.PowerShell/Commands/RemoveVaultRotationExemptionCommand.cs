using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Removes a rotation exemption, so its keys are enforced again at once. Takes the Id from
/// Get-VaultRotationExemption through the pipeline. Asks for confirmation. Admins only; audited.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VaultRotationExemption", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultRotationExemption))]
public sealed class RemoveVaultRotationExemptionCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The exemption's id, as Get-VaultRotationExemption shows it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public Guid Id { get; set; }

    /// <summary>Writes the removed exemption.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (!ShouldProcess($"rotation exemption {Id} in {engine.Vault}", "Remove the exemption")) return;
            var removed = engine.RemoveRotationExemption(Id);
            if (PassThru) WriteObject(removed);
        }, Id);
    }
}
