using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SecureVault.Access;

namespace SecureVault.PowerShell;

/// <summary>Tab completion of the permission names of the role matrix (Get-VaultRole -Permission). Needs no vault.</summary>
public sealed class VaultPermissionNameCompleter : IArgumentCompleter
{
    /// <summary>The permission names that start with what was typed, each with its description as the tooltip.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        return Permissions.Matrix
            .Where(row => row.Permission.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(row => new CompletionResult(row.Permission, row.Permission, CompletionResultType.ParameterValue, row.Description))
            .ToList();
    }
}
