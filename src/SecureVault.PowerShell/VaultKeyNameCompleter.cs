using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SecureVault.PowerShell;

/// <summary>
/// Tab completion of key names from the unlocked vault named by -Vault (or the default). A locked
/// vault completes nothing: completion never prompts and never fails.
/// </summary>
public sealed class VaultKeyNameCompleter : IArgumentCompleter
{
    /// <summary>Key names that start with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        var vault = fakeBoundParameters["Vault"] as string;
        IReadOnlyList<VaultKeyInfo> keys;
        try
        {
            var engine = VaultEngine.Open(vault);
            if (!engine.IsUnlocked) return [];
            keys = engine.ListKeys(new KeyFilter(Name: WildcardPattern.Escape(typed) + "*"));
        }
        catch (VaultException)
        {
            return []; // a missing, locked or damaged vault simply offers no completions
        }
        return keys.Take(500).Select(k =>
        {
            var text = k.Name.IndexOfAny([' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '&', '|', '@', '#']) >= 0
                ? "'" + k.Name.Replace("'", "''") + "'"
                : k.Name;
            return new CompletionResult(text, k.Name, CompletionResultType.ParameterValue, $"{k.Name} ({k.Type}, version {k.Version})");
        }).ToList();
    }
}
