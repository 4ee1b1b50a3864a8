using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Typed metadata fields (SecretManagement metadata) and metadata-only updates.</summary>
public sealed class KeyFieldsTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private void Write(string name, KeyUpdate? update = null)
    {
        using var value = SecretText.FromString("value");
        _vault.Engine.SetKey(name, value, update);
    }

    [Fact]
    public void String_int_and_DateTime_fields_round_trip_with_their_types_after_unlocking_again()
    {
        var when = new DateTime(2027, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        Write("k", new KeyUpdate(Fields: new Dictionary<string, object?> { ["Owner"] = "ops", ["Count"] = 3, ["Expires"] = when, ["Small"] = (short)2 }));
        _vault.Engine.Lock();
        _vault.Engine.Unlock(TestVault.Password);
        var fields = _vault.Engine.GetKeyInfo("k").Fields;
        Assert.Equal("ops", fields["Owner"]);
        Assert.Equal(3, fields["Count"]);
        Assert.Equal(when, fields["Expires"]);
        Assert.Equal(2, fields["Small"]);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)fields["Expires"]).Kind);
    }

    [Theory]
    [MemberData(nameof(RefusedFields))]
    public void Unsupported_fields_are_refused_before_anything_is_written(Dictionary<string, object?> fields)
    {
        Assert.Throws<VaultInvalidInputException>(() => Write("k", new KeyUpdate(Fields: fields)));
        Assert.Empty(_vault.Engine.ListKeys());
    }

    public static TheoryData<Dictionary<string, object?>> RefusedFields() => new()
    {
        new Dictionary<string, object?> { ["Nested"] = new Dictionary<string, object>() },
        new Dictionary<string, object?> { ["Null"] = null },
        new Dictionary<string, object?> { ["Big"] = long.MaxValue },
        new Dictionary<string, object?> { [""] = "x" },
        new Dictionary<string, object?> { ["Ctrl"] = "a\u0001b" },
        Enumerable.Range(0, KeyFields.MaxFields + 1).ToDictionary(i => "f" + i, i => (object?)i),
    };

    [Fact]
    public void UpdateKeyInfo_changes_metadata_without_a_new_version_and_empty_values_clear()
    {
        Write("k", new KeyUpdate(Tags: ["a"], Service: "svc", Description: "d", Fields: new Dictionary<string, object?> { ["x"] = 1 }));
        var updated = _vault.Engine.UpdateKeyInfo("K", new KeyUpdate(Tags: [], Service: "", Description: "new", Fields: new Dictionary<string, object?>()));
        Assert.Equal(1, updated.Version);
        Assert.Empty(updated.Tags);
        Assert.Null(updated.Service);
        Assert.Equal("new", updated.Description);
        Assert.Empty(updated.Fields);
        using var value = (SecretText)_vault.Engine.GetKey("k");
        Assert.Equal("value", value.ToPlainString());
        Assert.Throws<VaultKeyNotFoundException>(() => _vault.Engine.UpdateKeyInfo("missing", new KeyUpdate(Description: "x")));
    }

    [Fact]
    public void Metadata_too_large_to_read_back_is_refused_at_write_time()
    {
        // Every field at its limit, every character escaped in JSON: far over the 64 KiB bound.
        var fields = Enumerable.Range(0, KeyFields.MaxFields).ToDictionary(i => "f" + i, i => (object?)new string('\u00e9', KeyFields.MaxTextLength));
        Assert.Throws<VaultInvalidInputException>(() => Write("k", new KeyUpdate(Fields: fields)));
        Assert.Empty(_vault.Engine.ListKeys());
    }
}
