using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SecureVault.Audit.Forwarding;

namespace SecureVault.Tests;

/// <summary>
/// Alert forwarding to syslog, checked against a real Unix datagram socket standing in for
/// /dev/log. The Windows event log sink cannot run on this platform and has no test here.
/// </summary>
public sealed class AlertForwardingTests
{
    private static readonly Guid KeyId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static VaultAlert Lockout(AlertSeverity severity = AlertSeverity.Critical, string message = "Principal locked out after 5 failed unlocks.") => new()
    {
        Time = new DateTime(2024, 3, 5, 6, 7, 8, DateTimeKind.Utc).AddTicks(9_876_543),
        Seq = 42,
        Kind = AlertKinds.Lockout,
        Severity = severity,
        Principal = "alice",
        Action = "unlock",
        TargetId = KeyId,
        Count = 5,
        Message = message,
        Vault = "/srv/vaults/team.vault",
    };

    [UnixFact]
    public void Send_writes_one_rfc5424_datagram_with_every_field()
    {
        using var syslog = new SyslogListener();

        new SyslogAlertSink(syslog.Path).Send(Lockout());

        string datagram = StrictUtf8.GetString(syslog.Receive());
        string host = datagram.Split(' ')[2];
        Assert.Equal(
            $"<82>1 2024-03-05T06:07:08.987Z {host} SecureVault {Environment.ProcessId} Lockout - " +
            $"vault=/srv/vaults/team.vault seq=42 action=unlock principal=alice target={KeyId:D} count=5: " +
            "Principal locked out after 5 failed unlocks.",
            datagram);
        Assert.Matches("^[!-~]{1,255}$", host);
        if (Regex.IsMatch(Environment.MachineName, "^[!-~]{1,255}$")) Assert.Equal(Environment.MachineName, host);
    }

    [UnixTheory]
    [InlineData(AlertSeverity.Warning, "<84>1 ")]   // authpriv (10) * 8 + warning (4)
    [InlineData(AlertSeverity.Critical, "<82>1 ")]  // authpriv (10) * 8 + critical (2)
    public void Severity_sets_the_priority(AlertSeverity severity, string expectedStart)
    {
        using var syslog = new SyslogListener();

        new SyslogAlertSink(syslog.Path).Send(Lockout(severity));

        Assert.StartsWith(expectedStart, Encoding.ASCII.GetString(syslog.Receive()), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_principal_and_target_are_written_as_nil()
    {
        var alert = new VaultAlert
        {
            Time = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            Seq = 7,
            Kind = AlertKinds.IntegrityViolation,
            Severity = AlertSeverity.Critical,
            Action = "verify",
            Message = "Record 7 has a bad signature.",
            Vault = "v",
        };

        string datagram = StrictUtf8.GetString(SyslogAlertSink.Format(alert, "host", 99));

        Assert.Equal(
            "<82>1 2025-01-02T03:04:05.000Z host SecureVault 99 IntegrityViolation - " +
            "vault=v seq=7 action=verify principal=- target=- count=1: Record 7 has a bad signature.",
            datagram);
    }

    [Theory]
    [InlineData("my host", "my-host")]
    [InlineData("hôte", "h-te")]
    [InlineData("a\U0001F600b", "a-b")]   // one character outside the BMP, one '-'
    [InlineData("tab\there", "tab-here")]
    [InlineData("", "-")]
    public void Host_name_is_sanitized_to_printable_ascii(string machineName, string expected)
    {
        string datagram = Encoding.ASCII.GetString(SyslogAlertSink.Format(Lockout(), machineName, 1));

        Assert.Equal(expected, datagram.Split(' ')[2]);
    }

    [Fact]
    public void Host_name_and_msgid_are_cut_to_their_rfc5424_limits()
    {
        var alert = new VaultAlert { Kind = new string('K', 40) + " x", Message = "m" };

        string[] fields = Encoding.ASCII.GetString(SyslogAlertSink.Format(alert, new string('h', 300), 1)).Split(' ');

        Assert.Equal(new string('h', 255), fields[2]);
        Assert.Equal(new string('K', 32), fields[5]);
    }

    [Fact]
    public void Line_breaks_in_any_part_cannot_start_a_second_log_line()
    {
        var alert = new VaultAlert
        {
            Seq = 42, Kind = AlertKinds.AccessDenied, Action = "unlock",
            Principal = "mallory\r\n<82>1 forged", Vault = "v\u0085w", Message = "first\nsecond",
        };

        string datagram = StrictUtf8.GetString(SyslogAlertSink.Format(alert, "host", 1));

        Assert.DoesNotContain(datagram, char.IsControl);
        Assert.EndsWith("vault=v w seq=42 action=unlock principal=mallory  <82>1 forged target=- count=1: first second", datagram);
    }

    [UnixTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_long_message_is_cut_under_2048_bytes_between_characters(int padding)
    {
        using var syslog = new SyslogListener();
        // 9 bytes per repetition (3 + 4 + 2); the padding moves the cut across every byte of a character.
        string message = new string('x', padding) + string.Concat(Enumerable.Repeat("€\U0001F600é", 400));
        var alert = Lockout(message: message);

        new SyslogAlertSink(syslog.Path).Send(alert);

        byte[] datagram = syslog.Receive();
        Assert.InRange(datagram.Length, 2047 - 3, 2047);   // cut no further back than one character
        string text = StrictUtf8.GetString(datagram);      // throws on a split character
        string body = text[(text.IndexOf(" - ", StringComparison.Ordinal) + 3)..];
        Assert.StartsWith(body, AlertText.Describe(alert), StringComparison.Ordinal);
        Assert.True(body.Length < AlertText.Describe(alert).Length);
    }

    [UnixTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sending_where_nothing_listens_throws_AlertForwardingException(bool staleSocketFile)
    {
        string folder = Directory.CreateTempSubdirectory("securevault-syslog-").FullName;
        try
        {
            string path = Path.Combine(folder, "log");
            if (staleSocketFile)
            {
                // A socket file whose listener has gone, as after the daemon died.
                using var gone = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                gone.Bind(new UnixDomainSocketEndPoint(path));
            }

            var e = Assert.Throws<AlertForwardingException>(() => new SyslogAlertSink(path).Send(Lockout()));

            Assert.IsType<SocketException>(e.InnerException);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [UnixFact]
    public void Concurrent_sends_from_several_threads_all_arrive()
    {
        const int threads = 4, perThread = 25;
        using var syslog = new SyslogListener();
        var sink = new SyslogAlertSink(syslog.Path);
        var failures = new ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var senders = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < perThread; i++)
            {
                try { sink.Send(new VaultAlert { Seq = t * perThread + i, Kind = AlertKinds.AccessDenied, Message = "denied" }); }
                catch (Exception e) { failures.Enqueue(e); }
            }
        })).ToList();
        senders.ForEach(s => s.Start());

        // Received while the senders run: the kernel queues only a few datagrams per socket.
        var seqs = new List<long>();
        for (int i = 0; i < threads * perThread; i++)
        {
            string text = Encoding.ASCII.GetString(syslog.Receive());
            seqs.Add(long.Parse(Regex.Match(text, @" seq=(\d+) ").Groups[1].Value));
        }
        senders.ForEach(s => s.Join());

        Assert.Empty(failures);
        Assert.Equal(Enumerable.Range(0, threads * perThread).Select(i => (long)i), seqs.Order());
    }

    [UnixFact]
    public void Factory_creates_a_syslog_sink_that_sends_to_the_given_socket()
    {
        using var syslog = new SyslogListener();

        IAlertSink sink = AlertSinks.Create("SysLog", syslog.Path);
        sink.Send(Lockout());

        Assert.Equal("syslog", sink.Name);
        Assert.StartsWith("<82>1 ", Encoding.ASCII.GetString(syslog.Receive()), StringComparison.Ordinal);
    }

    [UnixFact]
    public void Factory_defaults_syslog_to_dev_log()
    {
        var sink = Assert.IsType<SyslogAlertSink>(AlertSinks.Create("syslog"));

        Assert.Equal("/dev/log", sink.SocketPath);
    }

    [UnixFact]
    public void Factory_refuses_the_event_log_off_Windows_and_names_syslog()
    {
        var e = Assert.Throws<VaultInvalidInputException>(() => AlertSinks.Create("eventlog"));

        Assert.Equal("InvalidInput", e.ErrorId);
        Assert.Contains("'syslog'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smtp", null)]
    [InlineData("syslog", "")]
    [InlineData("syslog", "/tmp/a-socket-path-far-too-long-for-sun-path-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Factory_refuses_unknown_kinds_and_unusable_paths(string kind, string? path)
    {
        var e = Assert.Throws<VaultInvalidInputException>(() => AlertSinks.Create(kind, path));

        Assert.Equal("InvalidInput", e.ErrorId);
    }
}

/// <summary>A fact that needs Unix datagram sockets; reported as skipped, with the reason, on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix datagram sockets (syslog) do not exist on Windows.";
    }
}

/// <summary>A theory that needs Unix datagram sockets; reported as skipped, with the reason, on Windows.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix datagram sockets (syslog) do not exist on Windows.";
    }
}
