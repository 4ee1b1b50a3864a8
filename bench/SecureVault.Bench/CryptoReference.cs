using System.Security.Cryptography;

namespace SecureVault.Bench;

/// <summary>
/// Costs of the engine's public-key primitives, measured with the same .NET calls the engine
/// makes: one P-256 key agreement as a cold read performs it (import the sender's public point,
/// derive the shared secret), which explains the gap between a cold-session read and a warm one;
/// and one ECDSA P-256 signature and verification over a 32-byte hash, as every audit record is
/// signed and as the audit verifier checks one.
/// </summary>
public static class CryptoReference
{
    public static LatencySummary EcdhP256(int runs)
    {
        using var own = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var sender = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var senderPoint = sender.ExportParameters(false).Q;
        var samples = new Samples(runs);
        for (int i = -10; i < runs; i++) // ten unrecorded warm-up rounds
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            using (var peer = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = senderPoint }))
            using (var peerPublic = peer.PublicKey)
            {
                CryptographicOperations.ZeroMemory(own.DeriveRawSecretAgreement(peerPublic));
            }
            if (i >= 0) samples.Add(System.Diagnostics.Stopwatch.GetTimestamp() - start);
        }
        return samples.Summarize();
    }

    /// <summary>
    /// ECDSA P-256 over a SHA-256 hash with IEEE P1363 signatures (r | s, 64 bytes), the audit
    /// chain's format: <paramref name="runs"/> timed verifications and signings, each after 200
    /// untimed ones. One thread, so the rates are one core's.
    /// </summary>
    public static (LatencySummary Verify, LatencySummary Sign) EcdsaP256(int runs)
    {
        const DSASignatureFormat format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation;
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The verifier holds only the public key, imported from its point, as the engine does.
        using var verifier = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = signer.ExportParameters(false).Q });
        var hash = SHA256.HashData("SecureVault bench audit record"u8);
        var signature = signer.SignHash(hash, format);

        var verify = new Samples(runs);
        for (int i = -200; i < runs; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            bool valid = verifier.VerifyHash(hash, signature, format);
            if (i >= 0) verify.Add(System.Diagnostics.Stopwatch.GetTimestamp() - start);
            if (!valid) throw new InvalidOperationException("An ECDSA signature made a moment ago does not verify.");
        }
        var sign = new Samples(runs);
        for (int i = -200; i < runs; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            signature = signer.SignHash(hash, format);
            if (i >= 0) sign.Add(System.Diagnostics.Stopwatch.GetTimestamp() - start);
        }
        GC.KeepAlive(signature);
        return (verify.Summarize(), sign.Summarize());
    }
}
