using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>Shows whether a vault is locked, who unlocked it, time left, store, format, KDF, key count and memory locking.</summary>
[Cmdlet(VerbsCommon.Get, "VaultStatus")]
[OutputType(typeof(VaultStatus))]
public sealed class GetVaultStatusCommand : VaultCommandBase
{
    protected override void ProcessRecord()
    {
        Invoke(engine => WriteObject(engine.GetStatus()));
    }
}
