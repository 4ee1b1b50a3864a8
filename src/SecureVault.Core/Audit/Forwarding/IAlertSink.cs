namespace SecureVault.Audit.Forwarding;

/// <summary>
/// Somewhere an alert is sent as it is raised (syslog, the Windows event log). A sink reports
/// delivery failures by throwing <see cref="AlertForwardingException"/>; the engine records the
/// failure in the vault status and never fails the audited operation for it (the record is
/// already committed and the alert stays queryable with Get-VaultAlert).
/// </summary>
public interface IAlertSink
{
    /// <summary>A short name for status output ("syslog", "eventlog").</summary>
    string Name { get; }

    /// <summary>Sends one alert. Throws <see cref="AlertForwardingException"/> when it cannot be delivered.</summary>
    void Send(VaultAlert alert);
}

/// <summary>An alert could not be delivered to its sink.</summary>
public sealed class AlertForwardingException(string message, Exception? inner = null) : Exception(message, inner);
