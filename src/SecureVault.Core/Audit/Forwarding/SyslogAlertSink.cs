using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SecureVault.Audit.Forwarding;

/// <summary>
/// Forwards each alert to the local syslog daemon as one RFC 5424 message in one datagram over a
/// Unix datagram socket (normally /dev/log, where rsyslog, syslog-ng and journald listen).
/// </summary>
/// <remarks>
/// Wire format: <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME SecureVault PROCID MSGID - MSG</c>, with
/// facility authpriv (10) so alerts land with other security messages (often a root-only file);
/// severity critical (2) for <see cref="AlertSeverity.Critical"/>, otherwise warning (4).
/// TIMESTAMP is RFC 3339 UTC with milliseconds, MSGID the alert kind, no structured data, and MSG
/// the text of <see cref="AlertText.Describe"/> in UTF-8 without a BOM. The datagram stays under
/// 2048 bytes, the size every RFC 5424 receiver must accept.
/// A new socket per alert: alerts are rare, so the cost does not matter, and it makes the sink
/// thread-safe without a lock and lets it recover by itself when the syslog daemon restarts.
/// </remarks>
internal sealed class SyslogAlertSink : IAlertSink
{
    /// <summary>Where the local syslog daemon listens on Linux and the BSDs.</summary>
    public const string DefaultSocketPath = "/dev/log";

    /// <summary>The largest datagram sent: under 2048 bytes.</summary>
    public const int MaxDatagramBytes = 2047;

    private const int AuthPrivFacility = 10;
    private const int CriticalSeverity = 2;
    private const int WarningSeverity = 4;
    private const string AppName = "SecureVault";
    private const int MaxHostNameLength = 255;
    private const int MaxMsgIdLength = 32;

    // A datagram send blocks while the daemon's queue is full (Linux queues only a few datagrams
    // per socket). Waiting briefly rides out a burst; waiting for ever would stall the vault
    // operation that raised the alert, so after this the alert is reported as undelivered.
    private const int SendTimeoutMilliseconds = 2000;

    private readonly UnixDomainSocketEndPoint _endPoint;

    /// <summary>Creates a sink that sends to the syslog socket at <paramref name="socketPath"/>.</summary>
    /// <exception cref="ArgumentException">The path is empty or too long for a Unix socket address.</exception>
    public SyslogAlertSink(string socketPath = DefaultSocketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        // Built here so that a path too long for sun_path is refused when forwarding is configured,
        // not at the first alert.
        _endPoint = new UnixDomainSocketEndPoint(socketPath);
        SocketPath = socketPath;
    }

    /// <inheritdoc/>
    public string Name => "syslog";

    /// <summary>The Unix datagram socket the alerts go to.</summary>
    public string SocketPath { get; }

    /// <inheritdoc/>
    public void Send(VaultAlert alert)
    {
        byte[] datagram = Format(alert, Environment.MachineName, Environment.ProcessId);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTimeout = SendTimeoutMilliseconds;
            socket.Connect(_endPoint);
            socket.Send(datagram);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            string why = e is SocketException s ? s.SocketErrorCode.ToString() : e.Message;
            throw new AlertForwardingException($"syslog at '{SocketPath}' did not accept the alert: {why}", e);
        }
    }

    /// <summary>
    /// The exact datagram <see cref="Send"/> writes for <paramref name="alert"/>, given the host
    /// name and process id to put in the header.
    /// </summary>
    internal static byte[] Format(VaultAlert alert, string hostName, int processId)
    {
        ArgumentNullException.ThrowIfNull(alert);
        int severity = alert.Severity == AlertSeverity.Critical ? CriticalSeverity : WarningSeverity;
        string header = string.Create(CultureInfo.InvariantCulture,
            $"<{AuthPrivFacility * 8 + severity}>1 {Timestamp(alert.Time)} {PrintableAscii(hostName, MaxHostNameLength)} " +
            $"{AppName} {processId} {PrintableAscii(alert.Kind, MaxMsgIdLength)} {AlertText.Nil} ");

        byte[] message = Encoding.UTF8.GetBytes(AlertText.Describe(alert));
        int length = Math.Min(message.Length, MaxDatagramBytes - header.Length);
        // Step back over continuation bytes (10xxxxxx) so the cut falls between characters.
        if (length < message.Length)
        {
            while (length > 0 && (message[length] & 0xC0) == 0x80) length--;
        }

        var datagram = new byte[header.Length + length];
        Encoding.ASCII.GetBytes(header, datagram);   // ASCII by construction
        message.AsSpan(0, length).CopyTo(datagram.AsSpan(header.Length));
        return datagram;
    }

    /// <summary>
    /// Makes <paramref name="value"/> a valid RFC 5424 header field: printable US-ASCII (33-126)
    /// only, every other character replaced by '-', at most <paramref name="maxLength"/>
    /// characters, and "-" (NILVALUE) when empty.
    /// </summary>
    internal static string PrintableAscii(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value)) return AlertText.Nil;
        var field = new StringBuilder(Math.Min(value.Length, maxLength));
        // By rune, so a character outside the BMP (a surrogate pair) becomes one '-', not two.
        foreach (Rune rune in value.EnumerateRunes())
        {
            if (field.Length == maxLength) break;
            field.Append(rune.Value is >= 33 and <= 126 ? (char)rune.Value : '-');
        }
        return field.ToString();
    }

    /// <summary>RFC 3339 in UTC with milliseconds, e.g. 2024-03-05T06:07:08.009Z.</summary>
    private static string Timestamp(DateTime time)
    {
        // Alert times are UTC; an unspecified kind is taken as UTC rather than shifted by the local zone.
        DateTime utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        return utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
    }
}
