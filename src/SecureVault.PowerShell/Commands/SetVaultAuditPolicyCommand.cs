using System.Management.Automation;
using Forwarding = SecureVault.AlertForwarding;

namespace SecureVault.PowerShell.Commands;

/// <summary>Changes a vault's audit policy (retention, alert forwarding); only the values given change. Admins only; audited.</summary>
[Cmdlet(VerbsCommon.Set, "VaultAuditPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AuditPolicy))]
public sealed class SetVaultAuditPolicyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>Records younger than this many days are never pruned (0 to 36500; 0 lets any record be pruned).</summary>
    [Parameter]
    [ValidateRange(0, AuditPolicy.MaxRetentionDays)]
    public int? RetentionDays { get; set; }

    /// <summary>Where each new alert is sent as it is raised: None, Syslog (Unix) or EventLog (Windows).</summary>
    /// <remarks>
    /// A string, not the engine's enum: PowerShell loads every cmdlet type when it imports the module,
    /// before the engine's load context is in place, and a field of an engine value type would need
    /// the engine assembly right then.
    /// </remarks>
    [Parameter]
    [ValidateSet(nameof(Forwarding.None), nameof(Forwarding.Syslog), nameof(Forwarding.EventLog))]
    public string? AlertForwarding { get; set; }

    /// <summary>Writes the policy after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (RetentionDays is null && AlertForwarding is null)
            ThrowTerminatingError(VaultErrors.InvalidArgument("Give -RetentionDays, -AlertForwarding or both.", DefaultErrorTarget));
        Invoke(engine =>
        {
            var changes = string.Join(", ", new[]
            {
                RetentionDays is { } days ? $"keep records {days} days" : null,
                AlertForwarding is { } forwarding ? $"forward alerts to {forwarding}" : null,
            }.OfType<string>());
            if (!ShouldProcess(engine.Vault, $"Set the audit policy: {changes}")) return;
            var policy = engine.SetAuditPolicy(RetentionDays, AlertForwarding is null ? null : Enum.Parse<Forwarding>(AlertForwarding, ignoreCase: true));
            if (PassThru) WriteObject(policy);
        });
    }
}
