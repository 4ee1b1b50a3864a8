using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>SecretManagement's Remove-Secret: removes the key with all its versions (SecretManagement asks for confirmation).</summary>
[Cmdlet(VerbsCommon.Remove, "Secret")]
public sealed class RemoveSecretCommand : SecretVaultCommandBase
{
    /// <summary>The key name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    protected override void ProcessRecord() => Invoke(engine => engine.RemoveKey(Name), Name);
}
