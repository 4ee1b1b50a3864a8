using System.Diagnostics;
using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Storage;

namespace SecureVault.Audit;

/// <summary>
/// Appends records to a vault's audit chain inside the caller's write transaction, so an
/// operation and its record commit together or not at all (fail closed).
/// </summary>
internal static class AuditTrail
{
    private static readonly string HostName = Environment.MachineName;
    private static readonly int ProcessId = Environment.ProcessId;
    private static readonly string ProcessName = CurrentProcessName();

    /// <summary>
    /// Writes the record of <paramref name="facts"/> as the next in the chain, signed by
    /// <paramref name="signer"/> (null only for a failed authentication). <paramref name="keys"/>
    /// seal the key name; without them (failed authentication) no name is recorded.
    /// </summary>
    public static AuditRow Append(IVaultWriter writer, Guid vaultId, Guid? actor, ECDsa? signer, VaultKeys? keys,
        AuditFacts facts, string outcome, string? reason, long nowMs)
    {
        var (seq, link) = Next(writer, vaultId);
        var entry = new AuditEntry
        {
            Seq = seq,
            TimeMs = nowMs,
            Actor = actor,
            Action = facts.Action,
            Target = facts.Target,
            TargetName = facts.Target is { } id && facts.TargetName is { } name && keys != null ? AuditTargetNames.Seal(keys, vaultId, id, name) : null,
            Version = facts.Version,
            Count = facts.Count,
            Through = facts.Through,
            ThroughHash = facts.ThroughHash,
            Detail = facts.Detail,
            Keyslot = facts.Keyslot,
            Outcome = outcome,
            Reason = reason ?? facts.Reason,
            Host = HostName,
            Pid = ProcessId,
            Process = ProcessName,
        };
        if (signer is null && !AuditChain.MayBeUnsigned(entry))
            throw new InvalidOperationException($"an audit record of '{entry.Action}' must be signed");
        var record = entry.ToCanonicalJson();
        var hash = AuditChain.Hash(link, record);
        var row = new AuditRow(seq, nowMs, entry.Action, record, hash, signer is null ? null : AuditChain.Sign(signer, hash), entry.Target);
        writer.InsertAuditRow(row);
        return row;
    }

    /// <summary>The next sequence number and the link it chains to: after the newest record, the pruning base, or genesis.</summary>
    public static (long Seq, byte[] Link) Next(IVaultReader reader, Guid vaultId)
    {
        if (reader.LastAuditRow() is { } last) return (last.Seq + 1, AuditChain.Link(last.Hash, last.Signature ?? []));
        if (reader.AuditBase() is { } auditBase) return (auditBase.Seq + 1, auditBase.Link);
        return (1, AuditChain.Genesis(vaultId));
    }

    /// <summary>
    /// Registers a principal's signing public key from the next record on, unless it is already
    /// registered and open. Vaults created before the audit trail get their keys this way at unlock.
    /// </summary>
    public static void EnsureSigner(IVaultWriter writer, Guid vaultId, VaultKeys keys, Guid principalId, byte[] publicKey)
    {
        foreach (var signer in writer.AuditSigners())
        {
            if (signer.PrincipalId == principalId && signer.ValidUntilSeq is null && signer.PublicKey.AsSpan().SequenceEqual(publicKey)) return;
        }
        long from = Next(writer, vaultId).Seq;
        writer.InsertAuditSigner(new AuditSignerRecord(0, principalId, publicKey, from, null, keys.SignerMac(principalId, from, null, publicKey)));
    }

    private static string CurrentProcessName()
    {
        using var process = Process.GetCurrentProcess();
        return process.ProcessName;
    }
}
