using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace SecureVault.Audit.Forwarding;

/// <summary>
/// Forwards each alert to the Windows Application event log under the source "SecureVault":
/// a warning entry for <see cref="AlertSeverity.Warning"/>, an error entry for
/// <see cref="AlertSeverity.Critical"/>, with one string, the text of <see cref="AlertText.Describe"/>.
/// </summary>
/// <remarks>
/// Event ids are stable so that monitoring rules can match on them:
/// <list type="table">
/// <item><term>1000</term><description>any kind not listed below</description></item>
/// <item><term>1001</term><description>RepeatedFailedUnlock</description></item>
/// <item><term>1002</term><description>Lockout</description></item>
/// <item><term>1003</term><description>AccessDenied</description></item>
/// <item><term>1004</term><description>IntegrityViolation</description></item>
/// <item><term>1005</term><description>AuditVerificationFailed</description></item>
/// <item><term>1006</term><description>VaultRolledBack</description></item>
/// <item><term>1007</term><description>BlockedKeyRead</description></item>
/// </list>
/// Writing needs no administrator rights: when the source is not registered, Windows writes to
/// the Application log anyway, and Event Viewer shows the string after a note that the
/// description for the event id cannot be found. Registering the source once (as an
/// administrator, with EventLogMessages.dll as its message file) removes that note.
/// The handle is opened and closed per alert: alerts are rare, and it keeps the sink stateless
/// and thread-safe.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed class EventLogAlertSink : IAlertSink
{
    /// <summary>The event source name alerts are written under.</summary>
    public const string SourceName = "SecureVault";

    private const ushort EVENTLOG_ERROR_TYPE = 0x1;
    private const ushort EVENTLOG_WARNING_TYPE = 0x2;

    /// <inheritdoc/>
    public string Name => "eventlog";

    /// <inheritdoc/>
    public void Send(VaultAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ushort type = alert.Severity == AlertSeverity.Critical ? EVENTLOG_ERROR_TYPE : EVENTLOG_WARNING_TYPE;
        string[] strings = [AlertText.Describe(alert)];

        IntPtr log = RegisterEventSourceW(null, SourceName);
        if (log == IntPtr.Zero) throw Failed(nameof(RegisterEventSourceW), Marshal.GetLastPInvokeError());
        try
        {
            if (!ReportEventW(log, type, 0, EventId(alert.Kind), IntPtr.Zero, (ushort)strings.Length, 0, strings, IntPtr.Zero))
            {
                throw Failed(nameof(ReportEventW), Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            DeregisterEventSource(log);
        }
    }

    /// <summary>The event id for an alert kind (the table in the remarks).</summary>
    internal static uint EventId(string kind) => kind switch
    {
        AlertKinds.RepeatedFailedUnlock => 1001,
        AlertKinds.Lockout => 1002,
        AlertKinds.AccessDenied => 1003,
        AlertKinds.IntegrityViolation => 1004,
        AlertKinds.AuditVerificationFailed => 1005,
        AlertKinds.VaultRolledBack => 1006,
        AlertKinds.BlockedKeyRead => 1007,
        _ => 1000,
    };

    private static AlertForwardingException Failed(string call, int win32Error) =>
        new($"The Windows Application event log did not accept the alert: {call} failed with Win32 error {win32Error}.",
            new Win32Exception(win32Error));

    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
    private static extern IntPtr RegisterEventSourceW(string? lpUNCServerName, string lpSourceName);

    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool ReportEventW(IntPtr hEventLog, ushort wType, ushort wCategory, uint dwEventID,
        IntPtr lpUserSid, ushort wNumStrings, uint dwDataSize, string[] lpStrings, IntPtr lpRawData);

    [DllImport("advapi32.dll", SetLastError = true, ExactSpelling = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool DeregisterEventSource(IntPtr hEventLog);
}
