using System.Management.Automation;
using SecureVault.Access;
using SecureVault.Identity;
using EngineRole = SecureVault.Identity.Role;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Changes a principal's role, or disables or enables it; only what is given changes. A demotion
/// rotates the data keys the principal may no longer hold, with progress. The last enabled Admin
/// cannot be demoted or disabled. Admins only; audited.
/// </summary>
[Cmdlet(VerbsCommon.Set, "VaultPrincipal", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class SetVaultPrincipalCommand : PrincipalCommandBase
{
    #region Parameters

    /// <summary>The new role: Admin, User or Viewer.</summary>
    /// <remarks>A string, not the engine's enum: cmdlet types load before the engine's load context exists.</remarks>
    [Parameter]
    [ValidateSet(nameof(EngineRole.Admin), nameof(EngineRole.User), nameof(EngineRole.Viewer))]
    public string? Role { get; set; }

    /// <summary>-Disabled suspends the principal; -Disabled:$false enables it again. Left out: unchanged.</summary>
    [Parameter]
    public SwitchParameter Disabled { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        // A switch cannot be null: whether -Disabled was given at all is in the bound parameters.
        bool? disabled = MyInvocation.BoundParameters.ContainsKey(nameof(Disabled)) ? Disabled.IsPresent : null;
        if (Role is null && disabled is null)
            ThrowTerminatingError(VaultErrors.InvalidArgument("Give -Role, -Disabled (or -Disabled:$false to enable), or both.", Name));
        Invoke(engine =>
        {
            var current = Current(engine);
            var changes = string.Join(" and ", new[]
            {
                Role is { } role ? $"change the role from {current.Role} to {role}" : null,
                disabled switch { true => "disable it", false => "enable it", null => null },
            }.OfType<string>());
            if (!ShouldProcess($"{current.Name} in {engine.Vault}", $"Set principal: {changes}")) return;
            var progress = new RotationProgress(this, $"Changing principal '{current.Name}' in {engine.Vault}", "data keys checked");
            VaultPrincipalInfo updated;
            try
            {
                updated = engine.SetPrincipal(Name, Role is null ? null : Enum.Parse<EngineRole>(Role, ignoreCase: true), disabled,
                    progress.Report);
            }
            finally
            {
                progress.Complete();
            }
            if (PassThru) WriteObject(updated);
        }, Name);
    }
}
