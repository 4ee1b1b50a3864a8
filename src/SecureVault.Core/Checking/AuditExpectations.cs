using System.Text.RegularExpressions;
using SecureVault.Audit;
using SecureVault.Identity;
using SecureVault.Storage;

namespace SecureVault.Checking;

/// <summary>
/// What the signed audit log says must exist now, replayed from its records oldest first: which
/// keys were written and not removed, which principals were added and not removed, which keyslots
/// were added and not removed, and which grants on one named key were given and not taken away.
/// Only successful records count. Where the log cannot tell (a grant by wildcard, a role change,
/// an expiry) the state is unknown and nothing is claimed.
/// </summary>
internal sealed partial class AuditExpectations
{
    /// <summary>The newest record about one key id.</summary>
    public sealed record KeyState(Guid Id, bool Removed, long Seq, int? Version, string? SealedName);

    /// <summary>The newest record about one principal name.</summary>
    public sealed record PrincipalState(string Name, bool Removed, long Seq);

    /// <summary>The newest record about one keyslot, with whose it is (a principal id, or a name from an Admin's record).</summary>
    public sealed record KeyslotState(Guid Id, Guid? OwnerId, string? OwnerName, bool Removed, long Seq);

    /// <summary>A grant on one key to one principal (by normalized name): present, removed, or unknown (null).</summary>
    public sealed record GrantState(Guid KeyId, string Principal, bool? Present, long? ExpiresMs, long Seq);

    public Dictionary<Guid, KeyState> Keys { get; } = [];
    public Dictionary<string, PrincipalState> Principals { get; } = new(StringComparer.Ordinal);
    public Dictionary<Guid, KeyslotState> Keyslots { get; } = [];
    public Dictionary<(Guid Key, string Principal), GrantState> Grants { get; } = [];

    /// <summary>The principal the create record names (its actor); its name is not in the log.</summary>
    public Guid? Creator { get; private set; }
    /// <summary>Set when a remove names a principal the log never added: the creator, removed.</summary>
    public long? CreatorRemovedSeq { get; private set; }

    /// <summary>True when the log starts with the vault's create record: nothing was pruned, so a row the log never mentions is unexpected.</summary>
    public bool Complete { get; private set; }

    public long Records { get; private set; }

    private const string AllPermissions = "read,write,rotate,delete,grant";

    [GeneratedRegex(@"^principal '([^']+)'(?: (\S+))?(?: until (\S+))?")]
    private static partial Regex PrincipalDetail();

    [GeneratedRegex(@" removed ([0-9a-f,]+)")]
    private static partial Regex RemovedKeyslots();

    public static AuditExpectations Replay(IVaultReader reader, CancellationToken cancellation)
    {
        var result = new AuditExpectations();
        bool first = true;
        foreach (var row in reader.AuditRows())
        {
            if ((++result.Records & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            AuditEntry entry;
            try
            {
                entry = AuditEntry.Parse(row.Record);
            }
            catch (AuditFormatException)
            {
                // The chain verification, run first, reports it; its facts are not trusted here.
                first = false;
                continue;
            }
            if (first) result.Complete = entry.Seq == 1 && entry.Action == AuditAction.Create;
            first = false;
            if (entry.Outcome == AuditOutcome.Success) result.Apply(entry);
        }
        return result;
    }

    private void Apply(AuditEntry e)
    {
        var detail = e.Detail is null ? null : PrincipalDetail().Match(e.Detail);
        string? principal = detail is { Success: true } ? PrincipalNames.Normalize(detail.Groups[1].Value) : null;
        switch (e.Action)
        {
            case AuditAction.Create:
                Creator = e.Actor;
                break;
            case AuditAction.Set or AuditAction.Rotate or AuditAction.Restore when e.Target is { } written:
                Keys[written] = new KeyState(written, false, e.Seq, e.Version, e.TargetName ?? Keys.GetValueOrDefault(written)?.SealedName);
                break;
            case AuditAction.Remove when e.Target is { } removed:
                Keys[removed] = new KeyState(removed, true, e.Seq, null, e.TargetName ?? Keys.GetValueOrDefault(removed)?.SealedName);
                foreach (var grant in Grants.Values.Where(g => g.KeyId == removed).ToList()) SetGrant(grant with { Present = false, Seq = e.Seq });
                break;
            case AuditAction.PrincipalAdd when principal != null:
                Principals[principal] = new PrincipalState(detail!.Groups[1].Value, false, e.Seq);
                if (KeyslotIdOf(e.Keyslot) is { } added) Keyslots[added] = new KeyslotState(added, null, principal, false, e.Seq);
                break;
            case AuditAction.PrincipalRemove when principal != null:
                if (Principals.ContainsKey(principal)) Principals[principal] = new PrincipalState(detail!.Groups[1].Value, true, e.Seq);
                else CreatorRemovedSeq = e.Seq;
                // Its keyslots go with its row, and no keyslot-remove says so: a principal added again
                // under the name must not inherit the old one's keyslot as missing.
                foreach (var keyslot in Keyslots.Values.Where(k => k.OwnerName == principal && !k.Removed).ToList())
                    Keyslots[keyslot.Id] = keyslot with { Removed = true, Seq = e.Seq };
                foreach (var grant in Grants.Values.Where(g => g.Principal == principal).ToList()) SetGrant(grant with { Present = false, Seq = e.Seq });
                break;
            case AuditAction.PrincipalSet when principal != null:
                // A role change may take grants away (or make them pointless): no claim either way.
                foreach (var grant in Grants.Values.Where(g => g.Principal == principal).ToList()) SetGrant(grant with { Present = null, Seq = e.Seq });
                break;
            case AuditAction.KeyslotAdd:
                if (KeyslotIdOf(e.Keyslot) is { } own) Keyslots[own] = new KeyslotState(own, e.Actor, null, false, e.Seq);
                if (e.Detail != null && RemovedKeyslots().Match(e.Detail) is { Success: true } replaced)
                    foreach (var id in replaced.Groups[1].Value.Split(','))
                        if (Guid.TryParseExact(id, "N", out var gone)) Keyslots[gone] = new KeyslotState(gone, e.Actor, null, true, e.Seq);
                break;
            case AuditAction.KeyslotRemove:
                if (KeyslotIdOf(e.Keyslot) is { } dropped)
                    Keyslots[dropped] = (Keyslots.GetValueOrDefault(dropped) ?? new KeyslotState(dropped, null, principal, false, e.Seq)) with { Removed = true, Seq = e.Seq };
                break;
            case AuditAction.Password or AuditAction.KeyslotRenew:
                // A resealing names the keyslot (the creator's first keyslot shows here first).
                if (KeyslotIdOf(e.Keyslot) is { } sealedAgain && !Keyslots.ContainsKey(sealedAgain))
                    Keyslots[sealedAgain] = new KeyslotState(sealedAgain, e.Actor, null, false, e.Seq);
                break;
            case AuditAction.Grant when principal != null:
                if (e.Target is { } grantedOn)
                {
                    long? expires = detail!.Groups[3].Success && DateTime.TryParse(detail.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var until)
                        ? new DateTimeOffset(until, TimeSpan.Zero).ToUnixTimeMilliseconds() : null;
                    SetGrant(new GrantState(grantedOn, principal, true, expires, e.Seq));
                }
                else
                {
                    // By wildcard: which keys is not recorded. A grant adds, so a present one stays present.
                    foreach (var grant in Grants.Values.Where(g => g.Principal == principal && g.Present != true).ToList()) SetGrant(grant with { Present = null, Seq = e.Seq });
                }
                break;
            case AuditAction.Revoke when principal != null:
                bool everything = detail!.Groups[2].Success && detail.Groups[2].Value == AllPermissions;
                foreach (var grant in Grants.Values.Where(g => g.Principal == principal && (e.Target is null || g.KeyId == e.Target)).ToList())
                    SetGrant(grant with { Present = e.Target != null && everything ? false : null, Seq = e.Seq });
                break;
        }
    }

    private void SetGrant(GrantState grant) => Grants[(grant.KeyId, grant.Principal)] = grant;

    /// <summary>The keyslot id of a record's keyslot fingerprint ("id.hash").</summary>
    private static Guid? KeyslotIdOf(string? fingerprint)
    {
        if (fingerprint is null) return null;
        int dot = fingerprint.IndexOf('.');
        return Guid.TryParseExact(dot < 0 ? fingerprint : fingerprint[..dot], "N", out var id) ? id : null;
    }

    /// <summary>
    /// The newest unlock record that found the vault behind the audit head this profile had seen
    /// (a rollback, or commits lost with a damaged journal frame), if no consistency check was
    /// recorded since: until one is run, a key that is not found may be one that was lost.
    /// </summary>
    public static long? UncheckedRollback(IVaultReader reader)
    {
        long lastCheck = Acknowledgements.Max(action => reader.AuditRowsOf(action).FirstOrDefault()?.Seq ?? 0);
        foreach (var row in reader.AuditRowsOf(AuditAction.Unlock))
        {
            if (row.Seq <= lastCheck) break; // newest first
            AuditEntry entry;
            try
            {
                entry = AuditEntry.Parse(row.Record);
            }
            catch (AuditFormatException)
            {
                continue; // the chain verification names a damaged record
            }
            if (entry.Outcome == AuditOutcome.Success && entry.Reason == RolledBackNotice) return entry.Seq;
        }
        return null;
    }

    /// <summary>
    /// The records after which a rollback notice no longer makes not-found reads suspect: a
    /// consistency check reported it, or an Admin put a backup back on purpose (Restore-Vault
    /// records vault-restore right after the unlock of the copy that noticed the older head).
    /// </summary>
    public static readonly string[] Acknowledgements = [AuditAction.Check, AuditAction.VaultRestore];

    /// <summary>The notice an unlock records when the vault is behind the remembered head (as the alert rules read it).</summary>
    public const string RolledBackNotice = "VaultRolledBack";
}
