namespace SecureVault.Audit.Forwarding;

/// <summary>Creates the alert sink a vault's forwarding setting names.</summary>
internal static class AlertSinks
{
    /// <summary>The name of syslog forwarding (Unix).</summary>
    public const string SyslogKind = "syslog";

    /// <summary>The name of Windows Application event log forwarding.</summary>
    public const string EventLogKind = "eventlog";

    /// <summary>
    /// Creates the sink for <paramref name="kind"/> ("syslog" or "eventlog", any case).
    /// <paramref name="syslogSocketPath"/> applies to syslog only; null means /dev/log.
    /// </summary>
    /// <exception cref="VaultInvalidInputException">
    /// The kind is unknown, not available on this operating system, or the socket path is unusable.
    /// </exception>
    public static IAlertSink Create(string kind, string? syslogSocketPath = null)
    {
        if (string.Equals(kind, SyslogKind, StringComparison.OrdinalIgnoreCase))
        {
            if (OperatingSystem.IsWindows())
            {
                throw new VaultInvalidInputException(
                    "Syslog forwarding is only available on Unix. On Windows, forward alerts to the event log ('eventlog').");
            }
            string path = syslogSocketPath ?? SyslogAlertSink.DefaultSocketPath;
            try
            {
                return new SyslogAlertSink(path);
            }
            catch (ArgumentException)
            {
                throw new VaultInvalidInputException(
                    $"The syslog socket path '{path}' is not usable: give the non-empty path of a Unix socket, short enough for a socket address (about 100 bytes), or omit it to use {SyslogAlertSink.DefaultSocketPath}.");
            }
        }

        if (string.Equals(kind, EventLogKind, StringComparison.OrdinalIgnoreCase))
        {
            if (!OperatingSystem.IsWindows())
            {
                throw new VaultInvalidInputException(
                    "The Windows event log is only available on Windows. On this system, forward alerts to syslog ('syslog').");
            }
            if (syslogSocketPath != null)
            {
                throw new VaultInvalidInputException(
                    "A syslog socket path applies only to syslog forwarding; omit it when forwarding to the event log.");
            }
            return new EventLogAlertSink();
        }

        throw new VaultInvalidInputException(
            $"Unknown alert forwarding '{kind}'. Use '{SyslogKind}' on Unix or '{EventLogKind}' on Windows.");
    }
}
