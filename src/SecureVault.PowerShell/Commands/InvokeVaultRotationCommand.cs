using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// A rotation run, for scheduled jobs: every key -Name matches (default: all), or only those due
/// with -Due, rotated one by one with -ScriptBlock in name order. Writes one result per key as it
/// is done (Rotated; Skipped when -WhatIf or -Confirm declined it or the caller may not read and
/// rotate the key; Failed with the reason) and goes
/// on past failures; every attempt is audited. Shows progress; Ctrl+C stops between keys.
/// </summary>
/// <remarks>
/// The engine runs the whole loop and calls back for the value (the script block), for the
/// confirmation (ShouldProcess) and for progress, all synchronously on this pipeline thread, the
/// only thread where a script block may run and a cmdlet may write.
/// </remarks>
[Cmdlet(VerbsLifecycle.Invoke, "VaultRotation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultRotationResult))]
public sealed class InvokeVaultRotationCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>A key name or a wildcard pattern (default: every key).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Only keys due for rotation: Warning, Overdue and Blocked (not Exempt).</summary>
    [Parameter]
    public SwitchParameter Due { get; set; }

    /// <summary>Makes each new value: $_ and $args[0] are the key's current value, $args[1] its name; its output is the new value.</summary>
    [Parameter(Mandatory = true)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var producer = new RotationScript(ScriptBlock);
            var progress = new RotationProgress(this, $"Rotating keys in {engine.Vault}", "keys");
            try
            {
                var results = engine.RotateKeys(Name, Due, producer.Produce,
                    confirm: status => ShouldProcess($"{status.Name} in {engine.Vault}", $"Rotate key (state {status.State}, version {status.Version})"),
                    progress: progress.Report, cancellation: Cancellation);
                foreach (var result in results) WriteObject(result);
            }
            finally
            {
                progress.Complete();
            }
        }, Name);
    }
}
