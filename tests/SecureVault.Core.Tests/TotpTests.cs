using System.Collections;
using System.Security.Cryptography;
using System.Text;
using OtpNet;
using QRCoder;
using SecureVault.Identity;
using OtpTotp = OtpNet.Totp;
using Totp = SecureVault.Identity.Totp;

namespace SecureVault.Tests;

/// <summary>TOTP second factor: RFC 6238/4226 codes, verification window and replay, enrolment URI, terminal QR code.</summary>
public sealed class TotpTests
{
    private static readonly byte[] Sha1Seed = "12345678901234567890"u8.ToArray();
    private static readonly byte[] Sha256Seed = "12345678901234567890123456789012"u8.ToArray();
    private static readonly byte[] Sha512Seed = "1234567890123456789012345678901234567890123456789012345678901234"u8.ToArray();

    private static DateTimeOffset AtStep(long step, int secondsIntoStep = 0) =>
        DateTimeOffset.FromUnixTimeSeconds(step * Totp.StepSeconds + secondsIntoStep);

    private static string SixDigits(long step) => Totp.Code(Sha1Seed, step).ToString("D6");

    #region RFC 6238 and RFC 4226 known answers

    /// <summary>RFC 6238 Appendix B: every time, for every hash, 8 digits.</summary>
    public static TheoryData<string, long, string> Rfc6238Vectors() => new()
    {
        { "SHA1", 59, "94287082" }, { "SHA256", 59, "46119246" }, { "SHA512", 59, "90693936" },
        { "SHA1", 1111111109, "07081804" }, { "SHA256", 1111111109, "68084774" }, { "SHA512", 1111111109, "25091201" },
        { "SHA1", 1111111111, "14050471" }, { "SHA256", 1111111111, "67062674" }, { "SHA512", 1111111111, "99943326" },
        { "SHA1", 1234567890, "89005924" }, { "SHA256", 1234567890, "91819424" }, { "SHA512", 1234567890, "93441116" },
        { "SHA1", 2000000000, "69279037" }, { "SHA256", 2000000000, "90698825" }, { "SHA512", 2000000000, "38618901" },
        { "SHA1", 20000000000, "65353130" }, { "SHA256", 20000000000, "77737706" }, { "SHA512", 20000000000, "47863826" },
    };

    [Theory]
    [MemberData(nameof(Rfc6238Vectors))]
    public void Codes_match_the_RFC_6238_test_vectors(string hash, long unixSeconds, string expected)
    {
        byte[] seed = hash switch { "SHA1" => Sha1Seed, "SHA256" => Sha256Seed, _ => Sha512Seed };
        long step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        int code = Totp.Code(seed, step, new HashAlgorithmName(hash), 8);

        Assert.Equal(expected, code.ToString("D8"));
    }

    [Theory]
    [InlineData(59, 0x1)]
    [InlineData(1111111109, 0x23523EC)]
    [InlineData(1111111111, 0x23523ED)]
    [InlineData(1234567890, 0x273EF07)]
    [InlineData(2000000000, 0x3F940AA)]
    [InlineData(20000000000, 0x27BC86AA)]
    public void The_step_is_Unix_seconds_divided_by_30_as_in_RFC_6238(long unixSeconds, long expected)
    {
        Assert.Equal(expected, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));
    }

    [Fact]
    public void The_step_does_not_depend_on_the_time_zone_offset()
    {
        var utc = DateTimeOffset.FromUnixTimeSeconds(1111111109);
        Assert.Equal(Totp.StepAt(utc), Totp.StepAt(utc.ToOffset(TimeSpan.FromHours(-7))));
    }

    /// <summary>RFC 4226 Appendix D: HOTP-SHA-1, 6 digits, counters 0 to 9.</summary>
    [Theory]
    [InlineData(0, 755224)]
    [InlineData(1, 287082)]
    [InlineData(2, 359152)]
    [InlineData(3, 969429)]
    [InlineData(4, 338314)]
    [InlineData(5, 254676)]
    [InlineData(6, 287922)]
    [InlineData(7, 162583)]
    [InlineData(8, 399871)]
    [InlineData(9, 520489)]
    public void The_public_code_is_6_digit_HOTP_SHA1_as_in_RFC_4226(long counter, int expected)
    {
        Assert.Equal(expected, Totp.Code(Sha1Seed, counter));
    }

    [Fact]
    public void Codes_refuse_a_negative_step_an_empty_secret_and_an_unsupported_length_or_hash()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Totp.Code(Sha1Seed, -1));
        Assert.Throws<ArgumentException>(() => Totp.Code(ReadOnlySpan<byte>.Empty, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Totp.Code(Sha1Seed, 1, HashAlgorithmName.SHA1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Totp.Code(Sha1Seed, 1, HashAlgorithmName.SHA1, 9));
        Assert.Throws<ArgumentException>(() => Totp.Code(Sha1Seed, 1, HashAlgorithmName.MD5, 6));
    }

    #endregion

    #region Verification window and replay

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public void A_code_from_the_current_or_an_adjacent_step_is_accepted_and_its_step_returned(int offset)
    {
        const long Now = 40_000_000;

        long? accepted = Totp.Verify(Sha1Seed, SixDigits(Now + offset), AtStep(Now, 17), lastAcceptedStep: -1);

        Assert.Equal(Now + offset, accepted);
    }

    [Theory]
    [InlineData(-3)]
    [InlineData(-2)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_code_two_or_more_steps_away_is_refused(int offset)
    {
        const long Now = 40_000_000;
        string code = SixDigits(Now + offset);
        // Make sure the refusal is about the window, not a chance collision with a code inside it.
        Assert.DoesNotContain(code, new[] { SixDigits(Now - 1), SixDigits(Now), SixDigits(Now + 1) });

        Assert.Null(Totp.Verify(Sha1Seed, code, AtStep(Now), lastAcceptedStep: -1));
    }

    [Fact]
    public void The_window_follows_the_clock_within_a_step()
    {
        const long Now = 40_000_000;
        // The last second of step Now still accepts Now-1; the first second of Now+1 does not.
        Assert.Equal(Now - 1, Totp.Verify(Sha1Seed, SixDigits(Now - 1), AtStep(Now, 29), -1));
        Assert.Null(Totp.Verify(Sha1Seed, SixDigits(Now - 1), AtStep(Now + 1, 0), -1));
    }

    [Fact]
    public void A_wrong_code_is_refused()
    {
        const long Now = 40_000_000;
        var window = new[] { Totp.Code(Sha1Seed, Now - 1), Totp.Code(Sha1Seed, Now), Totp.Code(Sha1Seed, Now + 1) };
        int wrong = Enumerable.Range(0, 1_000_000).First(c => !window.Contains(c));

        Assert.Null(Totp.Verify(Sha1Seed, wrong.ToString("D6"), AtStep(Now), -1));
    }

    [Fact]
    public void A_replayed_step_is_refused_and_a_later_step_is_still_accepted()
    {
        const long Now = 40_000_000;
        long? first = Totp.Verify(Sha1Seed, SixDigits(Now), AtStep(Now), lastAcceptedStep: -1);
        Assert.Equal(Now, first);

        // The same code again, within the same step and in the next one.
        Assert.Null(Totp.Verify(Sha1Seed, SixDigits(Now), AtStep(Now, 20), lastAcceptedStep: first!.Value));
        Assert.Null(Totp.Verify(Sha1Seed, SixDigits(Now), AtStep(Now + 1), lastAcceptedStep: first.Value));
        // An older code that is still inside the window is refused too: steps only move forward.
        Assert.Null(Totp.Verify(Sha1Seed, SixDigits(Now - 1), AtStep(Now), lastAcceptedStep: first.Value));
        // The next step's code works once.
        Assert.Equal(Now + 1, Totp.Verify(Sha1Seed, SixDigits(Now + 1), AtStep(Now), lastAcceptedStep: first.Value));
        Assert.Null(Totp.Verify(Sha1Seed, SixDigits(Now + 1), AtStep(Now + 1), lastAcceptedStep: Now + 1));
    }

    [Fact]
    public void When_two_steps_in_the_window_share_a_code_the_highest_fresh_one_is_returned()
    {
        // For the RFC seed, steps 56188870 and 56188871 both give 617002 (found by search; checked here).
        const long Lower = 56188870;
        Assert.Equal(617002, Totp.Code(Sha1Seed, Lower));
        Assert.Equal(617002, Totp.Code(Sha1Seed, Lower + 1));

        Assert.Equal(Lower + 1, Totp.Verify(Sha1Seed, "617002", AtStep(Lower + 1), lastAcceptedStep: -1));
        Assert.Equal(Lower + 1, Totp.Verify(Sha1Seed, "617002", AtStep(Lower + 1), lastAcceptedStep: Lower));
        Assert.Null(Totp.Verify(Sha1Seed, "617002", AtStep(Lower + 1), lastAcceptedStep: Lower + 1));
        // Seen from step Lower the pair is (now, now+1): still the higher one.
        Assert.Equal(Lower + 1, Totp.Verify(Sha1Seed, "617002", AtStep(Lower), lastAcceptedStep: -1));
    }

    [Fact]
    public void A_code_written_as_two_groups_of_three_is_accepted()
    {
        const long Now = 40_000_000;
        string code = SixDigits(Now);

        Assert.Equal(Now, Totp.Verify(Sha1Seed, code[..3] + " " + code[3..], AtStep(Now), -1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData("abcdef")]
    [InlineData("12345 ")]
    [InlineData(" 123456")]
    [InlineData("123456 ")]
    [InlineData("12 3456")]
    [InlineData("1234 56")]
    [InlineData("123  456")]
    [InlineData("123-456")]
    [InlineData("123\t456")]
    [InlineData("+12345")]
    [InlineData("\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16")] // full-width digits
    [InlineData("\u0661\u0662\u0663\u0664\u0665\u0666")] // Arabic-Indic digits
    public void A_malformed_code_is_invalid_input_and_the_message_does_not_echo_it(string code)
    {
        var error = Assert.Throws<VaultInvalidInputException>(() => Totp.Verify(Sha1Seed, code, AtStep(40_000_000), -1));

        Assert.Equal("InvalidInput", error.ErrorId);
        if (code.Trim().Length > 0) Assert.DoesNotContain(code.Trim(), error.Message);
    }

    [Fact]
    public void Verification_refuses_a_secret_shorter_than_128_bits()
    {
        Assert.Throws<ArgumentException>(() => Totp.Verify(new byte[15], "123456", AtStep(40_000_000), -1));
    }

    #endregion

    #region Cross-check against Otp.NET

    [Fact]
    public void Codes_and_verification_agree_with_OtpNet_for_random_secrets_and_times()
    {
        var random = new Random(6238); // fixed seed: a failure is reproducible
        for (int i = 0; i < 500; i++)
        {
            byte[] secret = new byte[Totp.SecretSize];
            random.NextBytes(secret);
            var time = DateTimeOffset.FromUnixTimeSeconds(random.NextInt64(0, 4_102_444_800)); // 1970 to 2100
            string reference = new OtpTotp(secret).ComputeTotp(time.UtcDateTime);

            Assert.Equal(reference, Totp.Code(secret, Totp.StepAt(time)).ToString("D6"));
            Assert.Equal(Totp.StepAt(time), Totp.Verify(secret, reference, time, -1));
        }
    }

    [Theory]
    [InlineData("SHA1", OtpHashMode.Sha1, 6)]
    [InlineData("SHA256", OtpHashMode.Sha256, 8)]
    [InlineData("SHA512", OtpHashMode.Sha512, 7)]
    public void Codes_for_every_hash_and_length_agree_with_OtpNet(string hash, OtpHashMode mode, int digits)
    {
        var random = new Random(4226 + digits);
        for (int i = 0; i < 200; i++)
        {
            byte[] secret = new byte[random.Next(16, 80)];
            random.NextBytes(secret);
            var time = DateTimeOffset.FromUnixTimeSeconds(random.NextInt64(0, 4_102_444_800));
            string reference = new OtpTotp(secret, Totp.StepSeconds, mode, digits).ComputeTotp(time.UtcDateTime);

            int code = Totp.Code(secret, Totp.StepAt(time), new HashAlgorithmName(hash), digits);

            Assert.Equal(reference, code.ToString("D" + digits));
        }
    }

    #endregion

    #region Enrolment: secret, Base32, key URI

    [Fact]
    public void A_new_secret_is_20_random_bytes()
    {
        using var first = TotpEnrolment.NewSecret();
        using var second = TotpEnrolment.NewSecret();

        Assert.Equal(Totp.SecretSize, first.Length);
        Assert.Equal(20, first.Length);
        Assert.False(first.ReadOnlySpan.SequenceEqual(second.ReadOnlySpan));
        Assert.Contains(first.ToArray(), b => b != 0);
    }

    /// <summary>RFC 4648 section 10, without the '=' padding.</summary>
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_matches_the_RFC_4648_test_vectors(string input, string expected)
    {
        byte[] output = new byte[16];
        int written = TotpEnrolment.Base32Encode(Encoding.ASCII.GetBytes(input), output);

        Assert.Equal(expected, Encoding.ASCII.GetString(output, 0, written));
    }

    [Fact]
    public void Base32_uses_the_whole_alphabet_and_agrees_with_OtpNet()
    {
        var random = new Random(4648);
        var seen = new HashSet<char>();
        for (int i = 0; i < 200; i++)
        {
            byte[] data = new byte[random.Next(1, 64)];
            random.NextBytes(data);
            byte[] output = new byte[TotpEnrolment.Base32Length(data.Length)];

            int written = TotpEnrolment.Base32Encode(data, output);

            string ours = Encoding.ASCII.GetString(output, 0, written);
            Assert.Equal(Base32Encoding.ToString(data).TrimEnd('='), ours);
            Assert.Equal(data, Base32Encoding.ToBytes(ours));
            seen.UnionWith(ours);
        }
        Assert.True(seen.SetEquals("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), string.Concat(seen.Order()));
    }

    [Fact]
    public void Base32_refuses_an_output_that_is_too_small()
    {
        Assert.Throws<ArgumentException>(() => TotpEnrolment.Base32Encode(new byte[5], new byte[7]));
    }

    [Fact]
    public void The_key_URI_for_a_known_secret_is_exact()
    {
        using var uri = TotpEnrolment.OtpAuthUri(Sha1Seed, "SecureVault", "alice@example.com");

        Assert.Equal(
            "otpauth://totp/SecureVault:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=SecureVault&algorithm=SHA1&digits=6&period=30",
            Encoding.ASCII.GetString(uri.ReadOnlySpan));
    }

    [Fact]
    public void The_key_URI_percent_encodes_everything_but_unreserved_characters()
    {
        using var uri = TotpEnrolment.OtpAuthUri(Sha1Seed, "Acme Corp/Ops", "bob:x&y=z?é~-._");

        Assert.Equal(
            "otpauth://totp/Acme%20Corp%2FOps:bob%3Ax%26y%3Dz%3F%C3%A9~-._?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Corp%2FOps&algorithm=SHA1&digits=6&period=30",
            Encoding.ASCII.GetString(uri.ReadOnlySpan));
    }

    [Fact]
    public void The_key_URI_carries_the_secret_that_OtpNet_reads_back()
    {
        using var secret = TotpEnrolment.NewSecret();
        using var uri = TotpEnrolment.OtpAuthUri(secret.ReadOnlySpan, "SecureVault", "carol");

        string text = Encoding.ASCII.GetString(uri.ReadOnlySpan);
        string base32 = text.Split("secret=")[1].Split('&')[0];
        Assert.Equal(secret.ToArray(), Base32Encoding.ToBytes(base32));
    }

    [Fact]
    public void The_key_URI_refuses_an_empty_secret_issuer_or_account()
    {
        Assert.Throws<ArgumentException>(() => TotpEnrolment.OtpAuthUri(ReadOnlySpan<byte>.Empty, "SecureVault", "alice"));
        Assert.Throws<ArgumentException>(() => TotpEnrolment.OtpAuthUri(Sha1Seed, "", "alice"));
        Assert.Throws<ArgumentException>(() => TotpEnrolment.OtpAuthUri(Sha1Seed, "SecureVault", ""));
        Assert.ThrowsAny<ArgumentException>(() => TotpEnrolment.OtpAuthUri(Sha1Seed, "SecureVault", "\uD800"));
    }

    #endregion

    #region Terminal QR code

    /// <summary>QRCoder's matrix for the same bytes, without QRCoder's own 4-module quiet zone; true = dark.</summary>
    private static bool[,] ReferenceSymbol(byte[] text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        int symbol = data.ModuleMatrix.Count - 8;
        Assert.Equal(21 + 4 * (data.Version - 1), symbol);
        var modules = new bool[symbol, symbol];
        for (int row = 0; row < symbol; row++)
        {
            BitArray bits = data.ModuleMatrix[row + 4];
            for (int column = 0; column < symbol; column++) modules[row, column] = bits[column + 4];
        }
        return modules;
    }

    [Fact]
    public void The_QR_code_draws_QRCoders_modules_two_rows_per_line_with_a_2_module_quiet_zone()
    {
        using var uri = TotpEnrolment.OtpAuthUri(Sha1Seed, "SecureVault", "alice@example.com");
        byte[] text = uri.ToArray();
        bool[,] symbol = ReferenceSymbol(text);
        int size = symbol.GetLength(0);
        int side = size + 2 * TerminalQrCode.QuietZone;
        // Light = quiet zone or a light module; rows past the picture (odd side) count as dark.
        bool Light(int row, int column)
        {
            if (row >= side) return false;
            int r = row - TerminalQrCode.QuietZone, c = column - TerminalQrCode.QuietZone;
            return r < 0 || c < 0 || r >= size || c >= size || !symbol[r, c];
        }

        string[] lines = TerminalQrCode.Render(text).Split('\n');

        Assert.Equal((side + 1) / 2, lines.Length);
        for (int line = 0; line < lines.Length; line++)
        {
            Assert.Equal(side, lines[line].Length);
            for (int column = 0; column < side; column++)
            {
                bool upper = Light(2 * line, column), lower = Light(2 * line + 1, column);
                char expected = (upper, lower) switch
                {
                    (true, true) => '\u2588',
                    (true, false) => '\u2580',
                    (false, true) => '\u2584',
                    _ => ' ',
                };
                Assert.True(expected == lines[line][column], $"line {line}, column {column}: expected U+{(int)expected:X4}, got U+{(int)lines[line][column]:X4}");
            }
        }
        Array.Clear(text);
    }

    [Fact]
    public void The_QR_code_has_its_quiet_zone_and_finder_patterns_where_a_scanner_expects_them()
    {
        using var uri = TotpEnrolment.OtpAuthUri(Sha1Seed, "SecureVault", "alice@example.com");

        string[] lines = TerminalQrCode.Render(uri.ReadOnlySpan).Split('\n');

        int side = lines[0].Length;
        Assert.Equal(1, side % 2); // symbols are 17 + 4v modules, plus 2 + 2 of quiet zone
        Assert.All(lines[0], c => Assert.Equal('\u2588', c));                       // quiet rows 0 and 1
        Assert.All(lines[^1], c => Assert.Equal('\u2580', c));                      // last quiet row over nothing
        Assert.All(lines[..^1], l => Assert.Equal("\u2588\u2588", l[..2]));        // left quiet columns...
        Assert.All(lines[..^1], l => Assert.Equal("\u2588\u2588", l[^2..]));        // ...and right ones
        // Line 1 holds symbol rows 0 and 1: the top edge of the top-left finder pattern is dark,
        // its second row is dark-light-light-light-light-light-dark.
        Assert.Equal(" \u2584\u2584\u2584\u2584\u2584 ", lines[1][2..9]);
    }

    [Fact]
    public void The_QR_code_matches_QRCoders_own_half_block_drawing_inside_the_quiet_zone()
    {
        byte[] text = Encoding.ASCII.GetBytes("otpauth://totp/SecureVault:dave?secret=MZXW6YTBOI&issuer=SecureVault");
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var ascii = new AsciiQRCode(data);
        string[] reference = ascii.GetGraphicSmall(drawQuietZones: false).Split('\n');
        int quiet = TerminalQrCode.QuietZone;

        string[] ours = TerminalQrCode.Render(text).Split('\n');

        // Our line k+1 holds symbol rows 2k and 2k+1, as QRCoder's line k does (below the symbol both
        // read QRCoder's light padding row).
        Assert.Equal(ours.Length - 2, reference.Length); // one quiet line above, one below
        for (int k = 0; k < reference.Length; k++)
            Assert.Equal(reference[k], ours[k + quiet / 2].Substring(quiet, reference[k].Length));
    }

    [Fact]
    public void The_QR_code_leaves_the_callers_bytes_as_they_were()
    {
        using var uri = TotpEnrolment.OtpAuthUri(Sha1Seed, "SecureVault", "alice");
        byte[] before = uri.ToArray();

        TerminalQrCode.Render(uri.ReadOnlySpan);

        Assert.Equal(before, uri.ToArray());
    }

    #endregion
}
