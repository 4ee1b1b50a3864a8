using SecureVault.Audit;

namespace SecureVault.Tests;

/// <summary>
/// The audit_log seq column is the row's key (lookups by number and the next record's number come
/// from it), so it must be the record's own: a record stored under another number does not verify,
/// even where the order of the rows is unchanged.
/// </summary>
public sealed class AuditSeqColumnTests : IDisposable
{
    private readonly TestVault _vault = new();

    public AuditSeqColumnTests() => Secrets.WriteText(_vault.Engine, "alpha", "alpha-value");

    public void Dispose() => _vault.Dispose();

    [Fact]
    public void Record_1_stored_as_record_0_is_reported_at_record_1()
    {
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("UPDATE audit_log SET seq = 0 WHERE seq = 1")));
        engine.Unlock(TestVault.Password);
        var result = engine.VerifyAudit();
        Assert.False(result.IsValid);
        Assert.Equal(((long?)1, AuditFailure.Malformed), (result.FirstBadSeq, result.Reason));
    }

    [Fact]
    public void Record_1_stored_under_a_negative_number_is_refused_where_it_is_read()
    {
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("UPDATE audit_log SET seq = -1 WHERE seq = 1")));
        var e = Assert.Throws<VaultIntegrityException>(() =>
        {
            engine.Unlock(TestVault.Password);
            return engine.VerifyAudit();
        });
        Assert.Equal("IntegrityViolation", e.ErrorId);
    }
}
