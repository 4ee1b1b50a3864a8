using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Exempts the keys of a service (wildcards allowed) or one key from rotation enforcement until a
/// date: they read without warnings and are never blocked meanwhile. Every exemption has a reason
/// and an end (at most 366 days ahead). Admins only; audited. Writes the exemption.
/// </summary>
[Cmdlet(VerbsCommon.Add, "VaultRotationExemption", DefaultParameterSetName = ByKey, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultRotationExemption))]
public sealed class AddVaultRotationExemptionCommand : VaultCommandBase
{
    private const string ByKey = "Key";
    private const string ByService = "Service";

    #region Parameters

    /// <summary>The service whose keys are exempt: a name or a wildcard pattern, matched against each key's service.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByService)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>The one existing key that is exempt.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByKey)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Key { get; set; }

    /// <summary>Why the keys may not be rotated now (recorded in the audit trail).</summary>
    [Parameter(Mandatory = true)]
    public string Reason { get; set; } = "";

    /// <summary>When the exemption ends: in the future and at most 366 days ahead (local time unless the DateTime says UTC).</summary>
    [Parameter(Mandatory = true)]
    public DateTime Until { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var until = new DateTimeOffset(Until.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(Until, DateTimeKind.Local) : Until);
            var covers = Service is not null ? $"the keys of service '{Service}'" : $"key {Key}";
            if (!ShouldProcess($"{covers} in {engine.Vault}", $"Exempt from rotation until {until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC")) return;
            WriteObject(engine.AddRotationExemption(Service, Key, Reason, until));
        }, (object?)Key ?? Service);
    }
}
