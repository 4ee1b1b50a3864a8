using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using SecureVault.Crypto;

namespace SecureVault.Tests;

/// <summary>
/// Our Argon2id and BLAKE2b: the published known answers (RFC 9106 section 5.3, RFC 7693 appendix A)
/// and a randomized equivalence check against an independent implementation (Konscious, a
/// test-only dependency).
/// </summary>
public sealed class Argon2idTests
{
    [Fact]
    public void Blake2b_512_of_abc_is_the_RFC_7693_appendix_A_value()
    {
        var digest = new byte[64];
        Blake2b.Hash("abc"u8, digest);
        Assert.Equal(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Blake2b_fed_in_pieces_over_several_blocks_with_a_short_digest_matches_the_one_shot_value()
    {
        // 200 bytes (two blocks, the second partial) and a 37-byte digest, value from Python's hashlib.blake2b.
        var data = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var digest = new byte[37];
        using (var hash = new Blake2b(37))
        {
            hash.Update(data.AsSpan(0, 1));
            hash.Update(data.AsSpan(1, 127));
            hash.Update(data.AsSpan(128, 72));
            hash.Finish(digest);
        }
        Assert.Equal("84e1838810128ae8a714264e1689668538f775af5bbc243bbf3d795394a77dbe0b314dd78b", Convert.ToHexStringLower(digest));
    }

    [Theory]
    [InlineData(true)]    // the AVX2 compression
    [InlineData(false)]   // the portable one
    public void Argon2id_gives_the_RFC_9106_section_5_3_tag_with_secret_and_associated_data(bool vectorized)
    {
        if (vectorized && !Avx2.IsSupported) return; // nothing to check on this processor
        var tag = new byte[32];
        Argon2id.Hash(Filled(32, 0x01), Filled(16, 0x02), memoryKiB: 32, iterations: 3, parallelism: 4, tag,
            secret: Filled(8, 0x03), associatedData: Filled(12, 0x04), vectorized);
        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(tag));
    }

    public static TheoryData<int, int, int, int> SmallParameterSets => new()
    {
        // memory KiB, passes, lanes, password length
        { 8, 1, 1, 1 },
        { 64, 1, 1, 5 },
        { 100, 2, 3, 17 },     // m not a multiple of 4p: m' rounds down
        { 256, 3, 4, 33 },
        { 1024, 2, 2, 129 },   // a password longer than one BLAKE2b block
        { 520, 1, 8, 64 },     // eight lanes: many cross-lane references
        { 2048, 1, 1, 12 },    // 512-block segments: several address blocks per data-independent segment
    };

    [Theory]
    [MemberData(nameof(SmallParameterSets))]
    public void Argon2id_matches_an_independent_implementation_on_random_inputs(int memoryKiB, int passes, int lanes, int passwordLength)
    {
        for (int round = 0; round < 3; round++)
        {
            var password = RandomNumberGenerator.GetBytes(passwordLength);
            var salt = RandomNumberGenerator.GetBytes(16 + round);
            var ours = new byte[32 + round * 40]; // 32, 72 and 112 bytes: H' both ways
            Argon2id.Hash(password, salt, memoryKiB, passes, lanes, ours);
            var portable = new byte[ours.Length];
            Argon2id.Hash(password, salt, memoryKiB, passes, lanes, portable, default, default, vectorized: false);
            Assert.Equal(Convert.ToHexString(portable), Convert.ToHexString(ours));

            using var reference = new Konscious.Security.Cryptography.Argon2id(password)
            {
                Salt = salt,
                MemorySize = memoryKiB,
                Iterations = passes,
                DegreeOfParallelism = lanes,
            };
            Assert.Equal(Convert.ToHexString(reference.GetBytes(ours.Length)), Convert.ToHexString(ours));
        }
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
