using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>Lists rotation exemptions: the active ones, or all of them with -IncludeExpired. Audited.</summary>
[Cmdlet(VerbsCommon.Get, "VaultRotationExemption")]
[OutputType(typeof(VaultRotationExemption))]
public sealed class GetVaultRotationExemptionCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>Also lists exemptions whose end date has passed (they no longer exempt anything).</summary>
    [Parameter]
    public SwitchParameter IncludeExpired { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            foreach (var exemption in engine.GetRotationExemptions(IncludeExpired)) WriteObject(exemption);
        });
    }
}
