using System.Collections;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography;
using SecureVault.Values;

namespace SecureVault.PowerShell;

/// <summary>
/// A user's -ScriptBlock as the producer of a rotated value (Update-VaultKey, Invoke-VaultRotation).
/// The script gets the current value as $_ and as its first argument, shaped as Get-VaultKey returns
/// it (text as SecureString), and the key name as its second argument, so `param($Current, $Name)`
/// works too. Its one output is the new value, converted as Set-VaultKey converts -Value.
/// </summary>
/// <remarks>
/// The engine calls <see cref="Produce"/> synchronously on the pipeline thread, the only thread a
/// script block may run on. Inside the script $ErrorActionPreference is 'Stop', so any error it
/// writes ends it: a script that half failed never yields a value to store. The value handed in is
/// cleared when the script returns.
/// </remarks>
internal sealed class RotationScript(ScriptBlock script)
{
    /// <summary>The new value for <paramref name="name"/>, or null when the script returned nothing (the engine then refuses the rotation).</summary>
    public SecretValue? Produce(string name, SecretValue current)
    {
        var input = SecretConverter.ToPowerShell(current, asPlainText: false);
        try
        {
            var variables = new List<PSVariable>
            {
                new("_", input),
                new("ErrorActionPreference", ActionPreference.Stop),
            };
            var output = script.InvokeWithContext(null, variables, input, name);
            var produced = ToSecret(output);
            return produced is null ? null : KeepTextType(current, produced);
        }
        finally
        {
            Clear(input);
        }
    }

    /// <summary>
    /// The script's output as one value. A byte[] returned without the comma operator arrives as
    /// its bytes, one object each: those are put back together.
    /// </summary>
    private static SecretValue? ToSecret(IEnumerable<PSObject> output)
    {
        var values = output.Select(o => o?.BaseObject).Where(o => o is not null).ToList();
        if (values.Count == 0) return null;
        if (values.All(v => v is byte))
        {
            var bytes = values.Select(v => (byte)v!).ToArray();
            try
            {
                return SecretBytes.CopyOf(bytes);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes); // the gathered copy is ours to clear
            }
        }
        if (values.Count > 1)
            throw new InvalidOperationException(
                $"the -ScriptBlock returned {values.Count} objects; it must return exactly one new value (discard other output with $null = ...)");
        return SecretConverter.ToSecret(values[0]);
    }

    /// <summary>
    /// Text stays the type it was: the script sees a SecureString even for a key stored from a
    /// plain string, and returning text of either kind must not change what the key is.
    /// </summary>
    private static SecretValue KeepTextType(SecretValue current, SecretValue produced)
    {
        if (current is not SecretText before || produced is not SecretText after || before.Type == after.Type) return produced;
        // The new wrapper takes over the buffer; the old one holds nothing else to dispose.
        return new SecretText(after.Utf8, isSecureString: before.Type == SecretValueType.SecureString);
    }

    /// <summary>Clears the copies of the current value made for the script.</summary>
    private static void Clear(object? shaped)
    {
        switch (shaped)
        {
            case SecureString secure:
                secure.Dispose();
                break;
            case PSCredential credential:
                credential.Password.Dispose();
                break;
            case byte[] bytes:
                CryptographicOperations.ZeroMemory(bytes);
                break;
            case Hashtable table:
                foreach (var value in table.Values) Clear(value);
                break;
        }
    }
}
