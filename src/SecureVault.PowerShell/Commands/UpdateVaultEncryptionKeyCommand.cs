using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Rekeys the vault: rotates every key's data key in batches, then replaces the metadata key and
/// re-encrypts every metadata record under it. Ctrl+C stops between batches with the vault still
/// readable; running it again finishes the job. Other processes must unlock again afterwards.
/// Asks for confirmation. Admins only; audited.
/// </summary>
[Cmdlet(VerbsData.Update, "VaultEncryptionKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultRekeyResult))]
public sealed class UpdateVaultEncryptionKeyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>Data keys rotated per transaction (1 to 10,000, default 100): what an interruption can lose, and how long the vault is held per step.</summary>
    [Parameter]
    [ValidateRange(1, VaultEngine.MaxRekeyBatchSize)]
    public int BatchSize { get; set; } = 100;

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (!ShouldProcess(engine.Vault, "Rekey the vault: rotate every data key and replace the metadata key")) return;
            var progress = new RotationProgress(this, $"Rekeying {engine.Vault}", "done");
            VaultRekeyResult result;
            try
            {
                result = engine.RekeyVault(progress.Report, BatchSize, Cancellation);
            }
            finally
            {
                progress.Complete();
            }
            WriteObject(result);
        });
    }
}
