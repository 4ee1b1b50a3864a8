using System.Collections;
using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Copies secrets from another vault registered with SecretManagement (SecretStore, another
/// SecureVault, ...) into this vault, with their metadata. Unlike the one-line Get-Secret |
/// Set-Secret pipeline it keeps text secrets as String (SecretManagement hands out text as
/// SecureString unless asked for plain text). Existing keys are skipped unless -Force.
/// </summary>
[Cmdlet(VerbsData.Import, "VaultSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultKeyInfo))]
public sealed class ImportVaultSecretCommand : VaultCommandBase
{
    private const string SecretManagement = "Microsoft.PowerShell.SecretManagement";

    #region Parameters

    /// <summary>The SecretManagement vault to copy from (its registered name).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string SourceVault { get; set; } = "";

    /// <summary>Names or wildcard patterns of the secrets to copy (default: all).</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[] Name { get; set; } = ["*"];

    /// <summary>Overwrites keys that already exist (as a new version) instead of skipping them.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the information of each key imported.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        var secrets = Name.SelectMany(pattern => Invoke<PSObject>($"{SecretManagement}\\Get-SecretInfo", new Hashtable { ["Vault"] = SourceVault, ["Name"] = pattern }))
            .GroupBy(info => (string)info.Properties["Name"].Value, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();
        for (int i = 0; i < secrets.Count; i++)
        {
            var info = secrets[i];
            var name = (string)info.Properties["Name"].Value;
            WriteProgress(new ProgressRecord(1, $"Importing from {SourceVault}", name) { PercentComplete = 100 * i / secrets.Count });
            Invoke(engine => Import(engine, info, name), name);
        }
        WriteProgress(new ProgressRecord(1, $"Importing from {SourceVault}", "Done") { RecordType = ProgressRecordType.Completed });
    }

    private void Import(VaultEngine engine, PSObject info, string name)
    {
        bool exists = engine.ListKeys(new KeyFilter(WildcardPattern.Escape(name))).Count > 0;
        if (exists && !Force)
        {
            WriteWarning($"Skipped '{name}': it already exists in {engine.Vault}. Use -Force to write it as a new version.");
            return;
        }
        if (!ShouldProcess($"{name} in {engine.Vault}", $"Import secret from {SourceVault}")) return;

        // A String secret is fetched as plain text only to store it as String again; it goes
        // straight into a secure buffer and the string is the caller's (SecretManagement's) copy.
        bool text = info.Properties["Type"].Value?.ToString() == "String";
        var parameters = new Hashtable { ["Vault"] = SourceVault, ["Name"] = name };
        if (text) parameters["AsPlainText"] = true;
        var value = Invoke<object>($"{SecretManagement}\\Get-Secret", parameters).FirstOrDefault()
            ?? throw new VaultKeyNotFoundException(name) { Target = name };
        var metadata = info.Properties["Metadata"]?.Value is IDictionary { Count: > 0 } dictionary ? new Hashtable(dictionary) : null;
        using var secret = SecretConverter.ToSecret(value);
        var imported = engine.SetKey(name, secret, metadata is null ? null : Extension.MetadataMapping.ToUpdate(metadata));
        if (PassThru) WriteObject(imported);
    }

    /// <summary>Runs one SecretManagement command with named parameters in this runspace and returns its output objects as written.</summary>
    private List<T> Invoke<T>(string command, Hashtable parameters)
    {
        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand(command).AddParameters(parameters);
        var output = shell.Invoke();
        foreach (var error in shell.Streams.Error) WriteError(error);
        return output.Where(o => o != null).Select(o => o.BaseObject is T typed ? typed : (T)(object)o).ToList();
    }
}
