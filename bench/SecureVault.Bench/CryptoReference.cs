using System.Security.Cryptography;

namespace SecureVault.Bench;

/// <summary>
/// The cost of one P-256 key agreement as the engine performs it for a cold read (import the
/// sender's public point, derive the shared secret), measured with the same .NET primitives. It
/// explains the gap between a cold-session read and a warm one.
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
}
