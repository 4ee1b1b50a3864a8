using System.Security.Cryptography;
using System.Text.Json;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Storage;

namespace SecureVault.Checking;

/// <summary>
/// What the audit log says about key names, for the not-found path of reads: per name, the newest
/// successful write or removal (whether a rollback since the last acknowledgement makes a
/// not-found suspect is <see cref="AuditExpectations.UncheckedRollback"/>'s to say). Built on the
/// first not-found of a session, then brought up to date
/// from the records appended since (the log only grows, except by pruning, a rollback or a
/// rewrite, which make it start over). Held by the session and cleared when it ends.
/// </summary>
/// <remarks>
/// Records are read with a light parse (three members, no canonical-form check): the
/// chain verification vouches for records, and the worst a forged record can do here is turn a
/// KeyNotFound into an IntegrityViolation, which only someone who can write the file can cause anyway.
/// </remarks>
internal sealed class AuditKeyIndex
{
    private static readonly string[] Watched = [.. AuditAction.VersionWrites, AuditAction.Remove];

    private readonly object _gate = new();
    private readonly Dictionary<string, (long Seq, bool Written)> _newestByName = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, string?> _nameOfId = [];
    private long _scannedSeq;
    private byte[] _scannedHash = [];
    private long? _baseSeq;

    /// <summary>The newest successful write or removal recorded for the key named <paramref name="name"/> (any id), or null.</summary>
    public (long Seq, bool Written)? Newest(IVaultReader reader, AuditNameOpener names, string name)
    {
        lock (_gate)
        {
            Refresh(reader, names);
            return _newestByName.TryGetValue(VaultKeys.NormalizeName(name), out var newest) ? newest : null;
        }
    }

    /// <summary>Forgets everything (the session ended).</summary>
    public void Clear()
    {
        lock (_gate) Reset();
    }

    private void Refresh(IVaultReader reader, AuditNameOpener names)
    {
        var last = reader.LastAuditRow();
        var baseSeq = reader.AuditBase()?.Seq;
        if (_scannedSeq > 0 && (last is null || last.Seq < _scannedSeq || baseSeq != _baseSeq || !StillHolds(reader))) Reset();
        if (last is null || last.Seq == _scannedSeq) return;
        var fresh = new List<AuditRow>();
        foreach (var action in Watched)
        {
            foreach (var row in reader.AuditRowsOf(action))
            {
                if (row.Seq <= _scannedSeq) break; // newest first
                fresh.Add(row);
            }
        }
        fresh.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        foreach (var row in fresh) Apply(row, names);
        _scannedSeq = last.Seq;
        _scannedHash = last.Hash;
        _baseSeq = baseSeq;
    }

    /// <summary>True when the record this index was last brought up to is still there, unchanged.</summary>
    private bool StillHolds(IVaultReader reader) =>
        reader.AuditRowAt(_scannedSeq)?.Hash is { } hash && hash.Length == _scannedHash.Length && CryptographicOperations.FixedTimeEquals(hash, _scannedHash);

    private void Apply(AuditRow row, AuditNameOpener names)
    {
        if (!TryPeek(row.Record, out var outcome, out var target, out var targetName)) return; // the verification names a damaged record
        if (outcome != AuditOutcome.Success) return;
        if (target is not { } id || targetName is null) return;
        if (!_nameOfId.TryGetValue(id, out var name))
        {
            name = names.Open(id, targetName) is { } opened ? VaultKeys.NormalizeName(opened) : null;
            _nameOfId[id] = name;
        }
        if (name != null) _newestByName[name] = (row.Seq, row.Action != AuditAction.Remove);
    }

    private void Reset()
    {
        _newestByName.Clear();
        _nameOfId.Clear();
        _scannedSeq = 0;
        _scannedHash = [];
        _baseSeq = null;
    }

    /// <summary>Reads the few members this index needs; false when the record is not a JSON object of strings and integers.</summary>
    private static bool TryPeek(ReadOnlySpan<byte> json, out string? outcome, out Guid? target, out string? targetName)
    {
        outcome = targetName = null;
        target = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("outcome"u8)) { reader.Read(); outcome = reader.GetString(); }
                else if (reader.ValueTextEquals("targetName"u8)) { reader.Read(); targetName = reader.GetString(); }
                else if (reader.ValueTextEquals("target"u8)) { reader.Read(); target = Guid.TryParseExact(reader.GetString(), "D", out var id) ? id : null; }
                else { reader.Read(); reader.Skip(); }
            }
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
