using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Names and values outside the rules are refused with a typed error, before anything changes.</summary>
public sealed class ValidationTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private VaultKeyInfo Set(string name, string text)
    {
        using var value = SecretText.FromString(text);
        return _vault.Engine.SetKey(name, value);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    public void A_name_of_1_to_256_characters_is_accepted(int length)
    {
        var name = new string('n', length);
        Set(name, "v");
        Assert.Equal(name, _vault.Engine.GetKeyInfo(name).Name);
    }

    public static TheoryData<string> RefusedNames => new()
    {
        "",
        "   ",
        new string('n', 257),
        "tab\there",
        "new\nline",
        "carriage\rreturn",
        "nul\0byte",
        "escape\u001b[31m",
        "delete\u007f",
        "next-line\u0085",
    };

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public void A_name_that_is_empty_too_long_or_has_control_characters_is_refused_and_nothing_is_written(string name)
    {
        var e = Assert.Throws<VaultInvalidInputException>(() => Set(name, "value"));
        Assert.Equal("InvalidInput", e.ErrorId);
        Assert.Empty(_vault.Engine.ListKeys());
        Assert.Equal(0, _vault.Engine.GetStatus().KeyCount);
    }

    [Fact]
    public void A_name_with_a_broken_surrogate_pair_is_refused()
    {
        // Built here rather than as theory data: xunit's data serialization would replace a lone surrogate with U+FFFD.
        foreach (var name in new[] { "lone-high-" + '\ud800', '\udc00' + "-lone-low", "swapped-" + '\udc00' + '\ud800' })
        {
            Assert.Throws<VaultInvalidInputException>(() => Set(name, "value"));
            Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.GetKey(name));
        }
        Set("pair-🔑", "a valid pair is fine");
        Assert.Equal("pair-🔑", Assert.Single(_vault.Engine.ListKeys()).Name);
    }

    [Fact]
    public void A_null_name_is_refused()
    {
        Assert.Throws<VaultInvalidInputException>(() => Set(null!, "value"));
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.GetKey(null!));
    }

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public void Reading_or_removing_by_an_invalid_name_is_refused_the_same_way(string name)
    {
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.GetKey(name));
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.GetKeyInfo(name));
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.RemoveKey(name));
    }

    [Fact]
    public void Names_differing_only_in_case_are_one_key_that_keeps_its_first_spelling()
    {
        Set("Foo", "first");
        var second = Set("FOO", "second");

        Assert.Equal("Foo", second.Name);
        Assert.Equal(2, second.Version);
        var only = Assert.Single(_vault.Engine.ListKeys());
        Assert.Equal("Foo", only.Name);
        Assert.Equal("second", Secrets.ReadText(_vault.Engine, "foo"));
        Assert.Equal("first", Secrets.ReadText(_vault.Engine, "fOO", version: 1));
    }

    [Fact]
    public void Names_differing_only_in_unicode_compatibility_form_are_one_key()
    {
        // NFKC maps full-width letters and the "fi" ligature to their plain forms.
        Set("ｃｏｎｆｉｇ", "first");
        var second = Set("conﬁg", "second");

        Assert.Equal("ｃｏｎｆｉｇ", second.Name);
        Assert.Equal(2, second.Version);
        Assert.Equal("second", Secrets.ReadText(_vault.Engine, "CONFIG"));
    }

    [Fact]
    public void Names_that_only_look_alike_stay_distinct()
    {
        Set("key", "latin");
        Set("kеy", "cyrillic e"); // U+0435, not a compatibility variant of 'e'

        Assert.Equal(2, _vault.Engine.ListKeys().Count);
        Assert.Equal("latin", Secrets.ReadText(_vault.Engine, "KEY"));
    }

    [Fact]
    public void A_value_of_exactly_1_MiB_is_accepted_and_read_back()
    {
        var bytes = new byte[SecretCodec.MaxValueBytes];
        new Random(7).NextBytes(bytes);
        using (var value = SecretBytes.CopyOf(bytes)) _vault.Engine.SetKey("big", value);

        Assert.Equal(bytes, Secrets.ReadBytes(_vault.Engine, "big"));
    }

    [Fact]
    public void A_string_of_exactly_1_MiB_of_UTF8_is_accepted()
    {
        // 'é' is two UTF-8 bytes: the limit counts stored bytes, not characters.
        var text = new string('é', SecretCodec.MaxValueBytes / 2);
        Set("big-text", text);

        Assert.Equal(text, Secrets.ReadText(_vault.Engine, "big-text"));
    }

    [Fact]
    public void A_value_one_byte_over_1_MiB_is_refused_and_the_existing_key_is_unchanged()
    {
        using (var value = SecretBytes.CopyOf([1, 2, 3])) _vault.Engine.SetKey("k", value);

        using (var tooBig = SecretBytes.CopyOf(new byte[SecretCodec.MaxValueBytes + 1]))
        {
            var e = Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.SetKey("k", tooBig));
            Assert.Equal("InvalidInput", e.ErrorId);
        }

        var info = _vault.Engine.GetKeyInfo("k");
        Assert.Equal(1, info.Version);
        Assert.Equal([1], info.Versions);
        Assert.Equal([1, 2, 3], Secrets.ReadBytes(_vault.Engine, "k"));
    }

    [Fact]
    public void A_value_over_1_MiB_for_a_new_name_creates_nothing()
    {
        var e = Assert.Throws<VaultInvalidInputException>(() => Set("new", new string('x', SecretCodec.MaxValueBytes + 1)));
        Assert.Equal("InvalidInput", e.ErrorId);

        Assert.Throws<VaultKeyNotFoundException>(() => _vault.Engine.GetKey("new"));
        Assert.Empty(_vault.Engine.ListKeys());
    }

    [Fact]
    public void A_hashtable_whose_entries_add_up_to_over_1_MiB_is_refused()
    {
        using var table = new SecretTable([
            new SecretTableEntry("a", SecretBytes.CopyOf(new byte[SecretCodec.MaxValueBytes / 2])),
            new SecretTableEntry("b", SecretBytes.CopyOf(new byte[SecretCodec.MaxValueBytes / 2])),
        ]);
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.SetKey("table", table));
        Assert.Empty(_vault.Engine.ListKeys());
    }

    [Fact]
    public void A_hashtable_inside_a_hashtable_is_refused()
    {
        using var table = new SecretTable([
            new SecretTableEntry("inner", new SecretTable([new SecretTableEntry("x", SecretText.FromString("y"))])),
        ]);
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.SetKey("nested", table));
        Assert.Empty(_vault.Engine.ListKeys());
    }

    [Fact]
    public void A_null_value_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => _vault.Engine.SetKey("k", null!));
        Assert.Empty(_vault.Engine.ListKeys());
    }

    [Fact]
    public void Too_many_or_invalid_tags_and_overlong_metadata_are_refused_and_nothing_is_written()
    {
        string[][] badTags =
        [
            Enumerable.Range(0, KeyNames.MaxTags + 1).Select(i => "t" + i).ToArray(),
            [""],
            [new string('t', KeyNames.MaxTagLength + 1)],
            ["bad\ntag"],
        ];
        foreach (var tags in badTags)
        {
            using var value = SecretText.FromString("v");
            Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.SetKey("k", value, new KeyUpdate(Tags: tags)));
        }
        using (var value = SecretText.FromString("v"))
        {
            Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.SetKey("k", value, new KeyUpdate(Service: new string('s', KeyNames.MaxServiceLength + 1))));
            Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.SetKey("k", value, new KeyUpdate(Description: new string('d', KeyNames.MaxDescriptionLength + 1))));
            Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.SetKey("k", value, new KeyUpdate(Service: "bell\a")));
        }
        Assert.Empty(_vault.Engine.ListKeys());
    }

    [Fact]
    public void The_maximum_number_of_tags_is_accepted()
    {
        var tags = Enumerable.Range(0, KeyNames.MaxTags).Select(i => "t" + i).ToArray();
        using var value = SecretText.FromString("v");
        Assert.Equal(tags, _vault.Engine.SetKey("k", value, new KeyUpdate(Tags: tags)).Tags);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_version_number_below_1_is_refused(int version)
    {
        Set("k", "v");
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.GetKey("k", version));
    }
}
