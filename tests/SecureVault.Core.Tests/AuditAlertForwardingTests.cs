using System.Text;

namespace SecureVault.Tests;

/// <summary>
/// A vault whose policy forwards alerts to syslog sends each new alert, as it is raised, to the
/// socket SECUREVAULT_SYSLOG_SOCKET names; when nothing listens the operation still completes and
/// the status says why. The variable is process-wide, hence this collection.
/// </summary>
[Collection(ProcessWideState.Name)]
public sealed class AuditAlertForwardingTests : IDisposable
{
    private readonly string? _savedSocket = Environment.GetEnvironmentVariable(VaultEngine.SyslogSocketVariable);
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;

    public AuditAlertForwardingTests() => _vault = new TestVault(_clock, idleTimeout: TimeSpan.FromDays(1));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(VaultEngine.SyslogSocketVariable, _savedSocket);
        _vault.Dispose();
    }

    private VaultEngine Engine => _vault.Engine;

    private void ForwardTo(string socketPath)
    {
        Environment.SetEnvironmentVariable(VaultEngine.SyslogSocketVariable, socketPath);
        var policy = Engine.SetAuditPolicy(forwarding: AlertForwarding.Syslog);
        Assert.Equal(AlertForwarding.Syslog, policy.AlertForwarding);
    }

    /// <summary>Fails to unlock <paramref name="count"/> times (each refused as usual); returns the seq of the last failure.</summary>
    private long FailUnlocks(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var e = Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword));
            Assert.Equal("AuthenticationFailed", e.ErrorId);
        }
        return Engine.GetStatus().AuditHead!.Value;
    }

    [UnixFact]
    public void A_burst_of_failed_unlocks_is_forwarded_as_one_syslog_datagram()
    {
        using var syslog = new SyslogListener();
        ForwardTo(syslog.Path);

        FailUnlocks(2);
        bool early = syslog.HasPending;
        long third = FailUnlocks(1);
        var datagram = Encoding.UTF8.GetString(syslog.Receive());

        Assert.False(early);
        Assert.StartsWith("<84>1 ", datagram, StringComparison.Ordinal);   // authpriv, warning
        Assert.Contains(" SecureVault " + Environment.ProcessId + " RepeatedFailedUnlock - ", datagram, StringComparison.Ordinal);
        Assert.Contains($"vault={_vault.Path} seq={third} action=unlock principal=owner target=- count=3: ", datagram, StringComparison.Ordinal);
        Assert.False(syslog.HasPending);
        Assert.Equal(AlertForwarding.Syslog, Engine.GetStatus().AlertForwarding);
        Assert.Null(Engine.GetStatus().AlertForwardingProblem);
    }

    [UnixFact]
    public void When_nothing_listens_the_operation_completes_and_the_status_says_why_until_an_alert_gets_through()
    {
        var folder = Directory.CreateTempSubdirectory("securevault-syslog-").FullName;
        try
        {
            var nowhere = Path.Combine(folder, "log");
            ForwardTo(nowhere);

            FailUnlocks(3);
            var problem = Engine.GetStatus().AlertForwardingProblem;
            var recorded = Engine.GetAuditLog(new AuditFilter { Outcome = "denied" });

            Assert.NotNull(problem);
            Assert.Contains($"syslog at '{nowhere}' did not accept the alert", problem, StringComparison.Ordinal);
            Assert.Equal(3, recorded.Count);
            Assert.Single(Engine.GetAlerts());   // raised and listed, only not delivered

            using var syslog = new SyslogListener();
            Environment.SetEnvironmentVariable(VaultEngine.SyslogSocketVariable, syslog.Path);
            _clock.Advance(TimeSpan.FromMinutes(16));   // past the window: the next three failures are a new burst
            Engine.Unlock(TestVault.Password);          // and a success ends the run of failures before it reaches a lockout
            FailUnlocks(3);
            Assert.Contains("RepeatedFailedUnlock", Encoding.UTF8.GetString(syslog.Receive()), StringComparison.Ordinal);
            Assert.Null(Engine.GetStatus().AlertForwardingProblem);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [UnixFact]
    public void Without_forwarding_nothing_is_sent()
    {
        using var syslog = new SyslogListener();
        Environment.SetEnvironmentVariable(VaultEngine.SyslogSocketVariable, syslog.Path);

        FailUnlocks(3);

        Assert.Single(Engine.GetAlerts());
        Assert.False(syslog.HasPending);
    }
}
