using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>Locks a vault now (or every vault with -All): its keys are zeroized in this process.</summary>
[Cmdlet(VerbsCommon.Lock, "Vault", DefaultParameterSetName = OneVault)]
[OutputType(typeof(void))]
public sealed class LockVaultCommand : VaultCommandBase
{
    private const string OneVault = "OneVault";
    private const string AllVaults = "AllVaults";

    #region Parameters

    /// <summary>Locks every vault unlocked in this process.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllVaults)]
    public SwitchParameter All { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (All)
        {
            if (Vault != null)
                ThrowTerminatingError(VaultErrors.InvalidArgument("Use either -All or -Vault, not both.", Vault));
            int count = VaultEngine.LockAll();
            WriteVerbose($"Locked {count} vault(s).");
            return;
        }
        Invoke(engine => WriteVerbose(engine.Lock() ? $"Locked '{engine.Vault}'." : $"'{engine.Vault}' was not unlocked."));
    }
}
