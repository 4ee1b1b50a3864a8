using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// Certificate keyslots (kind 2) and password+certificate keyslots (kind 3), with self-signed
/// certificates made here: round trips per key type, refusal at enrolment, wrong and incomplete
/// certificates, the certificate keyslot's signature (its documented form, and keyslots forged with
/// only the public certificate), tampering with every stored byte, moved keyslots, and the split of
/// the combined keyslot's key across its two factors.
/// </summary>
public sealed class CertificateKeyslotTests
{
    private static readonly Guid VaultId = Guid.NewGuid();
    private static readonly Guid KeyslotId = Guid.NewGuid();
    private static readonly Guid PrincipalId = Guid.NewGuid();
    private const string Principal = "task-runner";
    private static readonly long NowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    // Key generation (RSA above all) is the slow part: one certificate pair per key type per run.
    private static readonly Dictionary<string, Lazy<(X509Certificate2 Owner, X509Certificate2 Other)>> Certificates =
        new[] { "RSA 2048", "ECDSA P-256", "ECDSA P-384", "ECDSA P-521" }
            .ToDictionary(type => type, type => new Lazy<(X509Certificate2, X509Certificate2)>(() => (NewCertificate(type), NewCertificate(type))));

    public static TheoryData<string> KeyTypes => ["RSA 2048", "ECDSA P-256", "ECDSA P-384", "ECDSA P-521"];

    public static TheoryData<string> SlotKinds => ["certificate", "password+certificate"];

    private static X509Certificate2 Owner(string type) => Certificates[type].Value.Owner;

    private static X509Certificate2 Other(string type) => Certificates[type].Value.Other;

    private static X509Certificate2 NewCertificate(string type, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        X509KeyUsageFlags? usage = null)
    {
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddYears(1);
        CertificateRequest request;
        if (type.StartsWith("RSA ", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create(int.Parse(type[4..]));
            request = new CertificateRequest($"CN=SecureVault test {type}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                usage ?? X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, critical: true));
            return request.CreateSelfSigned(from, until);
        }
        var curve = type switch
        {
            "ECDSA P-256" => ECCurve.NamedCurves.nistP256,
            "ECDSA P-384" => ECCurve.NamedCurves.nistP384,
            "ECDSA P-521" => ECCurve.NamedCurves.nistP521,
            "ECDSA brainpoolP256r1" => ECCurve.NamedCurves.brainpoolP256r1,
            _ => throw new ArgumentException(type),
        };
        using var ecdsa = ECDsa.Create(curve);
        request = new CertificateRequest($"CN=SecureVault test {type}", ecdsa, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            usage ?? X509KeyUsageFlags.KeyAgreement | X509KeyUsageFlags.DigitalSignature, critical: true));
        return request.CreateSelfSigned(from, until);
    }

    private static X509Certificate2 PublicOnly(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    private static byte[] NewPayload() => RandomNumberGenerator.GetBytes(PasswordKeyslot.SealedSize);

    private static KeyslotRecord Seal(string kind, X509Certificate2 certificate, byte[] payload, long? nowMs = null) => kind switch
    {
        "certificate" => CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, certificate, payload, nowMs ?? NowMs),
        _ => PasswordCertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, TestVault.Password, TestVault.CheapKdf,
            certificate, payload, nowMs ?? NowMs),
    };

    private static SecureBuffer Open(KeyslotRecord keyslot, X509Certificate2 certificate, Guid? vaultId = null) => keyslot.Kind switch
    {
        CertificateKeyslot.Kind => CertificateKeyslot.Open(vaultId ?? VaultId, keyslot, certificate, Principal),
        _ => PasswordCertificateKeyslot.Open(vaultId ?? VaultId, keyslot, TestVault.Password, certificate, Principal),
    };

    private static void AssertOpens(KeyslotRecord keyslot, X509Certificate2 certificate, byte[] payload)
    {
        using var opened = Open(keyslot, certificate);
        Assert.Equal(payload, opened.ToArray());
    }

    /// <summary>Asserts the attempt is refused as tampering or failed authentication, never anything else and never success.</summary>
    private static void AssertRefused(Func<SecureBuffer> open)
    {
        SecureBuffer? opened = null;
        var e = Assert.ThrowsAny<VaultException>(() => opened = open());
        Assert.Null(opened);
        Assert.True(e is VaultIntegrityException or VaultAuthenticationException, $"{e.GetType().Name}: {e.Message}");
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x01;
        return copy;
    }

    #region Round trips

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_certificate_keyslot_opens_with_its_certificate_and_returns_the_payload(string type)
    {
        var payload = NewPayload();
        var keyslot = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), payload, NowMs);

        Assert.Equal(CertificateKeyslot.Kind, keyslot.Kind);
        Assert.Equal(2, keyslot.Kind);
        Assert.Equal((KeyslotId, PrincipalId, NowMs), (keyslot.Id, keyslot.PrincipalId, keyslot.UpdatedMs));
        Assert.Equal(CertificateKeyWrap.Identity(Owner(type)), keyslot.Verifier[..32]);
        Assert.Equal(SHA256.HashData(Owner(type).RawData), keyslot.Verifier[..32]);
        Assert.NotEqual(payload, keyslot.Sealed.Ciphertext);
        Assert.True(CertificateKeyslot.Matches(keyslot, Owner(type)));
        Assert.False(CertificateKeyslot.Matches(keyslot, Other(type)));
        AssertOpens(keyslot, Owner(type), payload);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_password_certificate_keyslot_opens_with_both_factors_and_returns_the_payload(string type)
    {
        var payload = NewPayload();
        var keyslot = PasswordCertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, TestVault.Password, TestVault.CheapKdf,
            Owner(type), payload, NowMs);

        Assert.Equal(3, keyslot.Kind);
        Assert.True(PasswordCertificateKeyslot.Matches(keyslot, Owner(type)));
        Assert.False(PasswordCertificateKeyslot.Matches(keyslot, Other(type)));
        Assert.False(CertificateKeyslot.Matches(keyslot, Owner(type)));
        var (storedKdf, _) = PasswordCertificateKeyslot.DecodeFactors(keyslot.Kdf);
        Assert.Equal(TestVault.CheapKdf, KdfParameters.Decode(storedKdf).Parameters);
        AssertOpens(keyslot, Owner(type), payload);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Two_seals_of_one_payload_share_no_wrapped_key_nonce_or_ciphertext(string type)
    {
        var payload = NewPayload();
        var first = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), payload, NowMs);
        var second = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), payload, NowMs);

        Assert.NotEqual(first.Kdf, second.Kdf);
        Assert.NotEqual(first.Sealed.Nonce, second.Sealed.Nonce);
        Assert.NotEqual(first.Sealed.Ciphertext, second.Sealed.Ciphertext);
    }

    [Theory]
    [InlineData("RSA 2048", 36 + 256 + 60)]
    [InlineData("ECDSA P-256", 36 + 65 + 60)]
    [InlineData("ECDSA P-384", 36 + 97 + 60)]
    [InlineData("ECDSA P-521", 36 + 133 + 60)]
    public void A_wrapped_key_has_the_documented_layout_and_unwraps_only_in_its_context(string type, int length)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var context = "test context"u8.ToArray();
        var wrapped = CertificateKeyWrap.Wrap(Owner(type), key, context);

        Assert.Equal(length, wrapped.Length);
        Assert.Equal(1, wrapped[0]);
        Assert.Equal(CertificateKeyWrap.Identity(Owner(type)), wrapped[2..34]);
        Assert.True(CertificateKeyWrap.IsWrappedTo(wrapped, Owner(type)));
        Assert.False(CertificateKeyWrap.IsWrappedTo(wrapped, Other(type)));
        Assert.False(CertificateKeyWrap.IsWrappedTo(wrapped[..^1], Owner(type)));
        using (var unwrapped = CertificateKeyWrap.Unwrap(Owner(type), wrapped, context, Principal))
            Assert.Equal(key, unwrapped.ToArray());
        var e = Assert.Throws<VaultIntegrityException>(() => CertificateKeyWrap.Unwrap(Owner(type), wrapped, "other context"u8, Principal));
        Assert.Equal("IntegrityViolation", e.ErrorId);
    }

    #endregion

    #region Certificates: wrong, incomplete, from a PFX

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Another_certificate_of_the_same_key_type_fails_authentication(string type)
    {
        foreach (var kind in new[] { "certificate", "password+certificate" })
        {
            var keyslot = Seal(kind, Owner(type), NewPayload());
            var e = Assert.Throws<VaultAuthenticationException>(() => Open(keyslot, Other(type)));
            Assert.Equal("AuthenticationFailed", e.ErrorId);
            Assert.Equal(Principal, e.Target);
        }
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void A_certificate_of_another_key_type_fails_authentication(string kind)
    {
        var keyslot = Seal(kind, Owner("RSA 2048"), NewPayload());
        Assert.Throws<VaultAuthenticationException>(() => Open(keyslot, Owner("ECDSA P-256")));
        keyslot = Seal(kind, Owner("ECDSA P-256"), NewPayload());
        Assert.Throws<VaultAuthenticationException>(() => Open(keyslot, Owner("ECDSA P-384")));
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void The_right_certificate_without_its_private_key_is_refused_as_invalid_input_naming_the_PFX(string type)
    {
        foreach (var kind in new[] { "certificate", "password+certificate" })
        {
            var keyslot = Seal(kind, Owner(type), NewPayload());
            using var publicOnly = PublicOnly(Owner(type));
            Assert.False(publicOnly.HasPrivateKey);

            var e = Assert.Throws<VaultInvalidInputException>(() => Open(keyslot, publicOnly));
            Assert.Equal("InvalidInput", e.ErrorId);
            Assert.Contains("private key", e.Message);
            Assert.Contains("PFX", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Sealing_a_certificate_keyslot_without_the_private_key_is_invalid_input_naming_the_PFX(string type)
    {
        using var publicOnly = PublicOnly(Owner(type));

        var e = Assert.Throws<VaultInvalidInputException>(() =>
            CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, publicOnly, NewPayload(), NowMs));
        Assert.Equal("InvalidInput", e.ErrorId);
        Assert.Contains("private key", e.Message);
        Assert.Contains("PFX", e.Message);
        Assert.Contains("signed", e.Message);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Sealing_a_password_certificate_keyslot_needs_only_the_public_certificate(string type)
    {
        var payload = NewPayload();
        using var publicOnly = PublicOnly(Owner(type));
        var combined = PasswordCertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, TestVault.Password, TestVault.CheapKdf,
            publicOnly, payload, NowMs);

        AssertOpens(combined, Owner(type), payload);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_certificate_loaded_from_a_password_protected_PFX_file_opens_the_keyslot(string type)
    {
        var payload = NewPayload();
        var keyslot = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), payload, NowMs);
        var combined = PasswordCertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, TestVault.Password, TestVault.CheapKdf,
            Owner(type), payload, NowMs);
        var folder = Directory.CreateTempSubdirectory("securevault-test-").FullName;
        try
        {
            var path = Path.Combine(folder, "owner.pfx");
            File.WriteAllBytes(path, Owner(type).Export(X509ContentType.Pkcs12, "pfx password"));
            using var loaded = X509CertificateLoader.LoadPkcs12FromFile(path, "pfx password");
            Assert.True(loaded.HasPrivateKey);

            Assert.True(CertificateKeyslot.Matches(keyslot, loaded));
            AssertOpens(keyslot, loaded, payload);
            AssertOpens(combined, loaded, payload);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    #endregion

    #region Enrolment

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Supported_certificates_within_their_validity_are_enrollable(string type)
    {
        CertificateKeyWrap.CheckEnrollable(Owner(type), DateTimeOffset.UtcNow);
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void An_RSA_1024_certificate_is_refused_at_enrolment_with_what_to_use_instead(string kind)
    {
        using var weak = NewCertificate("RSA 1024");
        var e = Assert.Throws<VaultInvalidInputException>(() => CertificateKeyWrap.CheckEnrollable(weak, DateTimeOffset.UtcNow));
        Assert.Contains("1024-bit", e.Message);
        Assert.Contains("2048", e.Message);

        e = Assert.Throws<VaultInvalidInputException>(() => Seal(kind, weak, NewPayload()));
        Assert.Equal("InvalidInput", e.ErrorId);
        Assert.Throws<VaultInvalidInputException>(() => CertificateKeyWrap.Wrap(weak, new byte[32], "context"u8));
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void An_expired_certificate_is_refused_at_enrolment(string kind)
    {
        using var expired = NewCertificate("ECDSA P-256", DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddDays(-1));
        var e = Assert.Throws<VaultInvalidInputException>(() => CertificateKeyWrap.CheckEnrollable(expired, DateTimeOffset.UtcNow));
        Assert.Contains("validity period", e.Message);
        Assert.Throws<VaultInvalidInputException>(() => Seal(kind, expired, NewPayload()));
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void A_certificate_not_yet_valid_is_refused_at_enrolment(string kind)
    {
        using var future = NewCertificate("RSA 2048", DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddYears(1));
        Assert.Throws<VaultInvalidInputException>(() => CertificateKeyWrap.CheckEnrollable(future, DateTimeOffset.UtcNow));
        Assert.Throws<VaultInvalidInputException>(() => Seal(kind, future, NewPayload()));
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void A_keyslot_enrolled_while_its_certificate_was_valid_still_opens_after_it_expired(string kind)
    {
        var from = DateTimeOffset.UtcNow.AddYears(-2);
        using var expired = NewCertificate("ECDSA P-256", from, DateTimeOffset.UtcNow.AddDays(-1));
        var payload = NewPayload();
        var keyslot = Seal(kind, expired, payload, from.AddDays(1).ToUnixTimeMilliseconds());

        AssertOpens(keyslot, expired, payload);
    }

    [Fact]
    public void An_EC_certificate_for_signatures_only_is_refused_because_its_key_usage_forbids_key_agreement()
    {
        using var signing = NewCertificate("ECDSA P-256", usage: X509KeyUsageFlags.DigitalSignature);
        var e = Assert.Throws<VaultInvalidInputException>(() => CertificateKeyWrap.CheckEnrollable(signing, DateTimeOffset.UtcNow));
        Assert.Contains("key agreement", e.Message);
    }

    [Fact]
    public void An_RSA_certificate_for_signatures_only_is_refused_because_its_key_usage_forbids_key_encipherment()
    {
        using var signing = NewCertificate("RSA 2048", usage: X509KeyUsageFlags.DigitalSignature);
        var e = Assert.Throws<VaultInvalidInputException>(() => CertificateKeyWrap.CheckEnrollable(signing, DateTimeOffset.UtcNow));
        Assert.Contains("key encipherment", e.Message);
    }

    [Fact]
    public void An_EC_certificate_on_an_unsupported_curve_is_refused_naming_the_supported_curves()
    {
        using var brainpool = NewCertificate("ECDSA brainpoolP256r1");
        var e = Assert.Throws<VaultInvalidInputException>(() => CertificateKeyWrap.CheckEnrollable(brainpool, DateTimeOffset.UtcNow));
        Assert.Contains("P-256, P-384 or P-521", e.Message);
    }

    #endregion

    #region Signature of a certificate keyslot

    public static TheoryData<string> ForgeryTypes => ["RSA 2048", "ECDSA P-256", "ECDSA P-384"];

    /// <summary>The documented signed message, built here from the file header, not from the code under test.</summary>
    private static byte[] DocumentedMessage(Guid vaultId, Guid keyslotId, Guid principalId, byte[] kdf, SealedBox box) =>
    [
        .. "SecureVault v1 certificate keyslot signature"u8, .. vaultId.ToByteArray(), .. keyslotId.ToByteArray(),
        .. principalId.ToByteArray(), (byte)CertificateKeyslot.Kind, .. kdf, .. box.Nonce, .. box.Ciphertext, .. box.Tag,
    ];

    /// <summary>Signs as documented (RSA-PSS-SHA256, or ECDSA-SHA256 in IEEE P1363 form) with the certificate's private key.</summary>
    private static byte[] SignWith(X509Certificate2 certificate, byte[] message)
    {
        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa != null) return rsa.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        using var ecdsa = certificate.GetECDsaPrivateKey()!;
        return ecdsa.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static bool VerifiesAsDocumented(X509Certificate2 certificate, byte[] message, byte[] signature)
    {
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa != null) return rsa.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        using var ecdsa = certificate.GetECDsaPublicKey()!;
        return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static byte[] Verifier(X509Certificate2 certificate, byte[] signature)
    {
        var length = new byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)signature.Length);
        return [.. CertificateKeyWrap.Identity(certificate), .. length, .. signature];
    }

    /// <summary>
    /// What an attacker who can write the vault file builds with the public certificate alone: a slot key
    /// of their own wrapped to the certificate, sealing a payload of their choosing, in the right place.
    /// </summary>
    private static (byte[] Kdf, SealedBox Sealed) Forge(X509Certificate2 publicCertificate, byte[] payload)
    {
        var slotKey = RandomNumberGenerator.GetBytes(32);
        var kdf = CertificateKeyWrap.Wrap(publicCertificate, slotKey, CertificateKeyslot.WrapContext(VaultId, KeyslotId, PrincipalId));
        var box = Aead.Seal(slotKey, payload, CertificateKeyslot.Aad(VaultId, KeyslotId, PrincipalId, kdf));
        return (kdf, box);
    }

    [Theory]
    [InlineData("RSA 2048", 256)]
    [InlineData("ECDSA P-256", 64)]
    [InlineData("ECDSA P-384", 96)]
    [InlineData("ECDSA P-521", 132)]
    public void A_certificate_keyslot_stores_its_identity_and_a_signature_of_the_documented_message(string type, int signatureSize)
    {
        var keyslot = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), NewPayload(), NowMs);
        var verifier = keyslot.Verifier;

        Assert.Equal(32 + 2 + signatureSize, verifier.Length);
        Assert.Equal(CertificateKeyWrap.Identity(Owner(type)), verifier[..32]);
        Assert.Equal(signatureSize, verifier[32] | verifier[33] << 8);
        var message = DocumentedMessage(VaultId, KeyslotId, PrincipalId, keyslot.Kdf, keyslot.Sealed);
        Assert.Equal(message, CertificateKeyslot.SignedMessage(VaultId, KeyslotId, PrincipalId, keyslot.Kdf, keyslot.Sealed));
        Assert.True(VerifiesAsDocumented(Owner(type), message, verifier[34..]));
        Assert.False(VerifiesAsDocumented(Other(type), message, verifier[34..]));
        Assert.False(VerifiesAsDocumented(Owner(type), CertificateKeyslot.Aad(VaultId, KeyslotId, PrincipalId, keyslot.Kdf), verifier[34..]));
    }

    [Theory]
    [MemberData(nameof(ForgeryTypes))]
    public void A_keyslot_forged_with_only_the_public_certificate_is_an_integrity_violation(string type)
    {
        using var publicOnly = PublicOnly(Owner(type));
        var attackerPayload = NewPayload();
        var (kdf, box) = Forge(publicOnly, attackerPayload);
        var message = DocumentedMessage(VaultId, KeyslotId, PrincipalId, kdf, box);

        // Without the signature this forgery would work: its parts unwrap and open to the attacker's payload.
        using (var slotKey = CertificateKeyWrap.Unwrap(Owner(type), kdf, CertificateKeyslot.WrapContext(VaultId, KeyslotId, PrincipalId), Principal))
        using (var opened = Aead.Open(slotKey.ReadOnlySpan, box, CertificateKeyslot.Aad(VaultId, KeyslotId, PrincipalId, kdf), "forged", 96))
            Assert.Equal(attackerPayload, opened.ToArray());

        var legitimate = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), NewPayload(), NowMs);
        var signatureSize = legitimate.Verifier.Length - 34;
        byte[][] forgedVerifiers =
        [
            CertificateKeyWrap.Identity(Owner(type)),                                   // the old form: no signature at all
            Verifier(Owner(type), []),                                                  // an empty signature
            Verifier(Owner(type), new byte[signatureSize]),                             // zeros
            Verifier(Owner(type), RandomNumberGenerator.GetBytes(signatureSize)),       // noise
            Verifier(Owner(type), SignWith(Other(type), message)),                      // signed with the attacker's own key
            legitimate.Verifier,                                                        // a real signature, of another keyslot
        ];
        foreach (var verifier in forgedVerifiers)
        {
            var forged = new KeyslotRecord(KeyslotId, PrincipalId, CertificateKeyslot.Kind, kdf, verifier, box, NowMs);
            Assert.True(CertificateKeyslot.Matches(forged, Owner(type)));
            SecureBuffer? opened = null;
            var e = Assert.Throws<VaultIntegrityException>(() => opened = CertificateKeyslot.Open(VaultId, forged, Owner(type), Principal));
            Assert.Null(opened);
            Assert.Equal("IntegrityViolation", e.ErrorId);
        }

        // Only the private key's holder can make the same parts open.
        var signed = new KeyslotRecord(KeyslotId, PrincipalId, CertificateKeyslot.Kind, kdf, Verifier(Owner(type), SignWith(Owner(type), message)), box, NowMs);
        AssertOpens(signed, Owner(type), attackerPayload);
    }

    [Theory]
    [MemberData(nameof(ForgeryTypes))]
    public void Flipping_any_byte_of_the_signature_or_its_length_is_an_integrity_violation(string type)
    {
        var keyslot = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), NewPayload(), NowMs);
        for (int i = CertificateKeyWrap.IdentitySize; i < keyslot.Verifier.Length; i++)
        {
            var tampered = keyslot with { Verifier = Flip(keyslot.Verifier, i) };
            Assert.True(CertificateKeyslot.Matches(tampered, Owner(type)));
            var e = Assert.Throws<VaultIntegrityException>(() => Open(tampered, Owner(type)));
            Assert.Equal("IntegrityViolation", e.ErrorId);
        }
    }

    [Theory]
    [MemberData(nameof(ForgeryTypes))]
    public void A_truncated_extended_or_resized_signature_is_an_integrity_violation(string type)
    {
        var keyslot = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), NewPayload(), NowMs);
        var verifier = keyslot.Verifier;
        var signature = verifier[34..];
        byte[][] damaged =
        [
            verifier[..32], verifier[..33], verifier[..34], verifier[..^1], [.. verifier, 0],
            Verifier(Owner(type), [.. signature, 0]),      // stored length agrees with the column, not with the key
            Verifier(Owner(type), signature[..^1]),
            Verifier(Owner(type), [0, .. signature]),
        ];
        foreach (var bytes in damaged)
            Assert.Throws<VaultIntegrityException>(() => Open(keyslot with { Verifier = bytes }, Owner(type)));
        AssertOpens(keyslot with { Verifier = Verifier(Owner(type), signature) }, Owner(type), OpenPayload(keyslot, Owner(type)));
    }

    private static byte[] OpenPayload(KeyslotRecord keyslot, X509Certificate2 certificate)
    {
        using var opened = Open(keyslot, certificate);
        return opened.ToArray();
    }

    [Fact]
    public void The_signature_of_another_keyslot_of_the_same_certificate_does_not_verify()
    {
        var keyslot = Seal("certificate", Owner("ECDSA P-256"), NewPayload());
        var donor = Seal("certificate", Owner("ECDSA P-256"), NewPayload());

        Assert.Throws<VaultIntegrityException>(() => Open(keyslot with { Verifier = donor.Verifier }, Owner("ECDSA P-256")));
        Assert.Throws<VaultIntegrityException>(() => Open(keyslot with { Kdf = donor.Kdf }, Owner("ECDSA P-256")));
        Assert.Throws<VaultIntegrityException>(() => Open(keyslot with { Sealed = donor.Sealed }, Owner("ECDSA P-256")));
        Assert.Throws<VaultIntegrityException>(() => Open(keyslot with { PrincipalId = Guid.NewGuid() }, Owner("ECDSA P-256")));
        Assert.Throws<VaultIntegrityException>(() => Open(keyslot, Owner("ECDSA P-256"), vaultId: Guid.NewGuid()));
    }

    /// <summary>
    /// An EC certificate for key agreement only, holding its private key as an ECDH key (.NET will not
    /// attach an ECDSA private key to it), as a PFX of an ECDH certificate would load.
    /// </summary>
    private static X509Certificate2 KeyAgreementOnly(ECCurve curve)
    {
        using var ecdsa = ECDsa.Create(curve);
        var request = new CertificateRequest("CN=SecureVault test key agreement only", ecdsa, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyAgreement, critical: true));
        var from = DateTimeOffset.UtcNow.AddDays(-1);
        using var publicOnly = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(ecdsa), from, from.AddYears(1),
            RandomNumberGenerator.GetBytes(8));
        using var ecdh = ECDiffieHellman.Create(ecdsa.ExportParameters(includePrivateParameters: true));
        return publicOnly.CopyWithPrivateKey(ecdh);
    }

    [Theory]
    [InlineData("RSA 2048")]
    [InlineData("ECDSA P-256")]
    [InlineData("ECDSA P-384")]
    public void A_certificate_whose_key_usage_excludes_signing_still_signs_its_keyslot(string type)
    {
        using var certificate = type switch
        {
            "RSA 2048" => NewCertificate(type, usage: X509KeyUsageFlags.KeyEncipherment),
            "ECDSA P-256" => KeyAgreementOnly(ECCurve.NamedCurves.nistP256),
            _ => KeyAgreementOnly(ECCurve.NamedCurves.nistP384),
        };
        Assert.True(certificate.HasPrivateKey);
        if (type != "RSA 2048")
        {
            // .NET offers no ECDSA key for it, so the ECDH route is the one tested here.
            Assert.Null(certificate.GetECDsaPublicKey());
            Assert.Null(certificate.GetECDsaPrivateKey());
        }
        var payload = NewPayload();

        var keyslot = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, certificate, payload, NowMs);

        AssertOpens(keyslot, certificate, payload);
        var tampered = keyslot with { Verifier = Flip(keyslot.Verifier, keyslot.Verifier.Length - 1) };
        Assert.Throws<VaultIntegrityException>(() => Open(tampered, certificate));
    }

    #endregion

    #region Tampering and moved keyslots

    public static TheoryData<string, string> TamperCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var type in new[] { "RSA 2048", "ECDSA P-256", "ECDSA P-384" })
            foreach (var part in new[] { "kdf", "verifier", "nonce", "ciphertext", "tag" })
                cases.Add(type, part);
        return cases;
    }

    private static byte[] Part(KeyslotRecord keyslot, string part) => part switch
    {
        "kdf" => keyslot.Kdf,
        "verifier" => keyslot.Verifier,
        "nonce" => keyslot.Sealed.Nonce,
        "ciphertext" => keyslot.Sealed.Ciphertext,
        _ => keyslot.Sealed.Tag,
    };

    private static KeyslotRecord WithPart(KeyslotRecord keyslot, string part, byte[] bytes) => part switch
    {
        "kdf" => keyslot with { Kdf = bytes },
        "verifier" => keyslot with { Verifier = bytes },
        "nonce" => keyslot with { Sealed = keyslot.Sealed with { Nonce = bytes } },
        "ciphertext" => keyslot with { Sealed = keyslot.Sealed with { Ciphertext = bytes } },
        _ => keyslot with { Sealed = keyslot.Sealed with { Tag = bytes } },
    };

    [Theory]
    [MemberData(nameof(TamperCases))]
    public void Flipping_any_byte_of_a_certificate_keyslot_is_an_integrity_violation_or_names_another_certificate(string type, string part)
    {
        var keyslot = CertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, Owner(type), NewPayload(), NowMs);
        var original = Part(keyslot, part);
        for (int i = 0; i < original.Length; i++)
        {
            var tampered = WithPart(keyslot, part, Flip(original, i));
            // The verifier's first 32 bytes are the certificate identity: changed, they name another
            // certificate. Every other byte is covered by the signature.
            if (part == "verifier" && i < CertificateKeyWrap.IdentitySize)
                Assert.Throws<VaultAuthenticationException>(() => Open(tampered, Owner(type)));
            else
                Assert.Throws<VaultIntegrityException>(() => Open(tampered, Owner(type)));
        }
    }

    [Theory]
    [InlineData("kdf")]
    [InlineData("verifier")]
    [InlineData("nonce")]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    public void Flipping_any_byte_of_a_password_certificate_keyslot_is_refused(string part)
    {
        var keyslot = PasswordCertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, TestVault.Password, TestVault.CheapKdf,
            Owner("ECDSA P-256"), NewPayload(), NowMs);
        var original = Part(keyslot, part);
        for (int i = 0; i < original.Length; i++)
        {
            var tampered = WithPart(keyslot, part, Flip(original, i));
            AssertRefused(() => Open(tampered, Owner("ECDSA P-256")));
        }
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void A_truncated_or_extended_Kdf_blob_is_an_integrity_violation(string kind)
    {
        var keyslot = Seal(kind, Owner("RSA 2048"), NewPayload());
        byte[][] damaged = [[], keyslot.Kdf[..1], keyslot.Kdf[..^1], [.. keyslot.Kdf, 0], keyslot.Kdf[..(keyslot.Kdf.Length / 2)]];
        foreach (var kdf in damaged)
            Assert.Throws<VaultIntegrityException>(() => Open(keyslot with { Kdf = kdf }, Owner("RSA 2048")));
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void The_wrapped_key_of_another_keyslot_of_the_same_certificate_is_refused(string kind)
    {
        var keyslot = Seal(kind, Owner("ECDSA P-256"), NewPayload());
        var donor = Seal(kind, Owner("ECDSA P-256"), NewPayload());

        AssertRefused(() => Open(keyslot with { Kdf = donor.Kdf }, Owner("ECDSA P-256")));
        AssertRefused(() => Open(keyslot with { Sealed = donor.Sealed }, Owner("ECDSA P-256")));
    }

    [Theory]
    [MemberData(nameof(SlotKinds))]
    public void A_keyslot_moved_to_another_principal_vault_or_keyslot_id_is_refused(string kind)
    {
        foreach (var type in new[] { "RSA 2048", "ECDSA P-256" })
        {
            var keyslot = Seal(kind, Owner(type), NewPayload());
            AssertRefused(() => Open(keyslot with { PrincipalId = Guid.NewGuid() }, Owner(type)));
            AssertRefused(() => Open(keyslot with { Id = Guid.NewGuid() }, Owner(type)));
            AssertRefused(() => Open(keyslot, Owner(type), vaultId: Guid.NewGuid()));
        }
    }

    [Fact]
    public void A_keyslot_of_one_kind_is_not_opened_as_the_other()
    {
        var payload = NewPayload();
        var certificateOnly = Seal("certificate", Owner("ECDSA P-256"), payload);
        var combined = Seal("password+certificate", Owner("ECDSA P-256"), payload);

        Assert.Throws<VaultIntegrityException>(() => PasswordCertificateKeyslot.Open(VaultId, certificateOnly, TestVault.Password,
            Owner("ECDSA P-256"), Principal));
        Assert.Throws<VaultIntegrityException>(() => CertificateKeyslot.Open(VaultId, combined, Owner("ECDSA P-256"), Principal));
        AssertRefused(() => PasswordCertificateKeyslot.Open(VaultId, certificateOnly with { Kind = PasswordCertificateKeyslot.Kind },
            TestVault.Password, Owner("ECDSA P-256"), Principal));
        AssertRefused(() => CertificateKeyslot.Open(VaultId, combined with { Kind = CertificateKeyslot.Kind },
            Owner("ECDSA P-256"), Principal));
    }

    #endregion

    #region Password + certificate: both factors

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_wrong_password_with_the_right_certificate_fails_authentication(string type)
    {
        var keyslot = Seal("password+certificate", Owner(type), NewPayload());

        var e = Assert.Throws<VaultAuthenticationException>(() =>
            PasswordCertificateKeyslot.Open(VaultId, keyslot, TestVault.WrongPassword, Owner(type), Principal));
        Assert.Equal("AuthenticationFailed", e.ErrorId);
        Assert.DoesNotContain("horse", e.ToString());
        Assert.Throws<VaultAuthenticationException>(() =>
            PasswordCertificateKeyslot.Open(VaultId, keyslot, ReadOnlySpan<byte>.Empty, Owner(type), Principal));
    }

    [Fact]
    public void The_right_password_with_another_certificate_fails_authentication()
    {
        var keyslot = Seal("password+certificate", Owner("ECDSA P-256"), NewPayload());

        var e = Assert.Throws<VaultAuthenticationException>(() =>
            PasswordCertificateKeyslot.Open(VaultId, keyslot, TestVault.Password, Other("ECDSA P-256"), Principal));
        Assert.Equal("AuthenticationFailed", e.ErrorId);
    }

    [Fact]
    public void The_password_derived_key_alone_or_the_certificate_share_alone_opens_nothing()
    {
        var certificate = Owner("ECDSA P-256");
        var payload = NewPayload();
        var keyslot = PasswordCertificateKeyslot.Seal(VaultId, KeyslotId, PrincipalId, TestVault.Password, TestVault.CheapKdf,
            certificate, payload, NowMs);
        var (storedKdf, wrappedShare) = PasswordCertificateKeyslot.DecodeFactors(keyslot.Kdf);
        var (kdf, salt) = KdfParameters.Decode(storedKdf);
        using var keys = PasswordKdf.Derive(TestVault.Password, salt, kdf);
        using var share = CertificateKeyWrap.Unwrap(certificate, wrappedShare,
            PasswordCertificateKeyslot.WrapContext(VaultId, KeyslotId, PrincipalId), Principal);
        var aad = PasswordCertificateKeyslot.Aad(VaultId, KeyslotId, PrincipalId, keyslot.Kdf);
        var plaintext = new byte[PasswordKeyslot.SealedSize];
        var zeros = new byte[32];
        var random = RandomNumberGenerator.GetBytes(32);

        bool OpensWith(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> shareBytes)
        {
            using var slotKey = PasswordCertificateKeyslot.SlotKey(kek, shareBytes, VaultId, KeyslotId, PrincipalId);
            return Aead.TryOpen(slotKey.ReadOnlySpan, keyslot.Sealed, aad, plaintext);
        }

        // Both factors: this reconstruction is the real one.
        Assert.True(OpensWith(keys.Kek.ReadOnlySpan, share.ReadOnlySpan));
        Assert.Equal(payload, plaintext);
        Array.Clear(plaintext);

        // The password's KEK without the share.
        Assert.False(OpensWith(keys.Kek.ReadOnlySpan, zeros));
        Assert.False(OpensWith(keys.Kek.ReadOnlySpan, random));
        Assert.False(Aead.TryOpen(keys.Kek.ReadOnlySpan, keyslot.Sealed, aad, plaintext));
        // The share without the password's KEK.
        Assert.False(OpensWith(zeros, share.ReadOnlySpan));
        Assert.False(OpensWith(random, share.ReadOnlySpan));
        Assert.False(Aead.TryOpen(share.ReadOnlySpan, keyslot.Sealed, aad, plaintext));
        Assert.All(plaintext, b => Assert.Equal(0, b));

        // Read as a plain password keyslot, the right password passes its verifier and still opens nothing.
        var asPasswordSlot = keyslot with { Kind = PasswordKeyslot.Kind, Kdf = storedKdf };
        Assert.Throws<VaultIntegrityException>(() => PasswordKeyslot.Open(VaultId, asPasswordSlot, TestVault.Password, Principal));
    }

    [Fact]
    public void The_stored_verifier_is_the_password_verifier_and_not_the_certificate()
    {
        var keyslot = Seal("password+certificate", Owner("ECDSA P-256"), NewPayload());
        var (storedKdf, _) = PasswordCertificateKeyslot.DecodeFactors(keyslot.Kdf);
        var (kdf, salt) = KdfParameters.Decode(storedKdf);
        using var keys = PasswordKdf.Derive(TestVault.Password, salt, kdf);

        Assert.Equal(keys.Verifier, keyslot.Verifier);
        Assert.NotEqual(CertificateKeyWrap.Identity(Owner("ECDSA P-256")), keyslot.Verifier);
    }

    #endregion
}
