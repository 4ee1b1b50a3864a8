using System.Collections;
using System.Management.Automation;
using System.Security;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Reads a key's value. Text comes back as SecureString unless -AsPlainText; byte[], PSCredential
/// and Hashtable values come back as stored. A key due for rotation (Warning, Overdue) is read with
/// a warning; a Blocked one is refused (KeyExpired).
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultKey")]
[OutputType(typeof(SecureString), typeof(string), typeof(byte[]), typeof(PSCredential), typeof(Hashtable))]
public sealed class GetVaultKeyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The key name (case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>An older version to read (default: the current one).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Version { get; set; }

    /// <summary>Returns text as SecureString (the default; stated for clarity in scripts).</summary>
    [Parameter]
    public SwitchParameter AsSecureString { get; set; }

    /// <summary>Returns text as a plain string. The string stays in memory until collected: use only when needed.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (AsPlainText && AsSecureString)
        {
            ThrowTerminatingError(VaultErrors.InvalidArgument("Use either -AsPlainText or -AsSecureString, not both.", Name));
        }
        Invoke(engine =>
        {
            // The engine calls warn on this (the pipeline) thread, before it returns the value.
            using var value = engine.GetKey(Name, Version, warning => WriteWarning(RotationAdvice.For(warning)));
            WriteObject(SecretConverter.ToPowerShell(value, AsPlainText), enumerateCollection: false);
        }, Name);
    }
}
