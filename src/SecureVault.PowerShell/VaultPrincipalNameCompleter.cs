using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SecureVault.Access;

namespace SecureVault.PowerShell;

/// <summary>
/// Tab completion of principal names from the unlocked vault named by -Vault (or the default). Like
/// key names, principals are listed only through a session, so a locked vault completes nothing:
/// completion never prompts and never fails.
/// </summary>
public sealed class VaultPrincipalNameCompleter : IArgumentCompleter
{
    /// <summary>Principal names that start with what was typed, each with its role as the tooltip.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        var vault = fakeBoundParameters["Vault"] as string;
        IReadOnlyList<VaultPrincipalInfo> principals;
        try
        {
            var engine = VaultEngine.Open(vault);
            if (!engine.IsUnlocked) return [];
            principals = engine.GetPrincipals();
        }
        catch (VaultException)
        {
            return []; // a missing, locked or damaged vault simply offers no completions
        }
        // Principal names hold only letters, digits and . _ - @ \, none of which needs quoting.
        return principals
            .Where(p => p.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(p => new CompletionResult(p.Name, p.Name, CompletionResultType.ParameterValue,
                $"{p.Name} ({p.Role}{(p.Disabled ? ", disabled" : "")})"))
            .ToList();
    }
}
