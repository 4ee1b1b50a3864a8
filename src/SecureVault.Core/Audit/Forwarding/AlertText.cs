using System.Globalization;
using System.Text;

namespace SecureVault.Audit.Forwarding;

/// <summary>
/// The one-line text every sink forwards for an alert (syslog's MSG part, the event log's
/// string): "vault=... seq=... action=... principal=... target=... count=...: message".
/// </summary>
internal static class AlertText
{
    /// <summary>Written in place of a missing value, as RFC 5424 writes NILVALUE.</summary>
    public const string Nil = "-";

    /// <summary>
    /// Describes <paramref name="alert"/> in one line. Control characters (CR, LF, tab, ...) in any
    /// part become spaces: the vault path and principal name come from users, and a line break
    /// would let them forge a second, fake entry in a line-oriented log.
    /// </summary>
    public static string Describe(VaultAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"vault={OrNil(alert.Vault)} seq={alert.Seq} action={OrNil(alert.Action)} " +
            $"principal={OrNil(alert.Principal)} target={alert.TargetId?.ToString("D") ?? Nil} " +
            $"count={alert.Count}: {alert.Message}");
        return WithoutControlCharacters(text);
    }

    private static string OrNil(string? value) => string.IsNullOrEmpty(value) ? Nil : value;

    private static string WithoutControlCharacters(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var builder = new StringBuilder(text);
        for (int i = 0; i < builder.Length; i++)
        {
            if (char.IsControl(builder[i])) builder[i] = ' ';
        }
        return builder.ToString();
    }
}
