using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SecureVault.PowerShell;

/// <summary>Tab completion of the audited action names for -Action (docs/audit.md, section 1).</summary>
public sealed class AuditActionCompleter : IArgumentCompleter
{
    /// <summary>The actions the engine records, in the order of an operation's life.</summary>
    internal static readonly string[] Actions =
    [
        "create", "unlock", "lock", "password", "set", "get", "info", "list", "update", "remove",
        "verify", "export-head", "check", "read-audit", "policy", "prune",
        "principal-add", "principal-set", "principal-remove", "principal-list", "keyslot-add", "keyslot-remove", "keyslot-renew",
        "mfa-enable", "mfa-confirm", "mfa-disable", "lockout-clear", "lockout-policy", "grant", "revoke", "access-list",
        "rotate", "restore", "history", "rotation-read", "rotation-policy", "exemption-add", "exemption-remove", "rekey", "backup", "vault-restore",
    ];

    /// <summary>The action names that start with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        return Actions.Where(action => action.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(action => new CompletionResult(action, action, CompletionResultType.ParameterValue, action))
            .ToList();
    }
}
