namespace SecureVault.Memory;

/// <summary>
/// Tracks every live <see cref="SecureBuffer"/> so that process exit zeroizes what is still open
/// (a finalizer is not guaranteed to run at exit).
/// </summary>
internal static class SecureBufferRegistry
{
    private static readonly HashSet<SecureBuffer> Live = new(ReferenceEqualityComparer.Instance);
    private static readonly object Gate = new();

    static SecureBufferRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ZeroizeAll();
    }

    public static void Add(SecureBuffer buffer) { lock (Gate) Live.Add(buffer); }

    public static void Remove(SecureBuffer buffer) { lock (Gate) Live.Remove(buffer); }

    /// <summary>Zeroizes and releases every buffer still alive.</summary>
    public static void ZeroizeAll()
    {
        SecureBuffer[] all;
        lock (Gate) all = Live.ToArray();
        foreach (var buffer in all) buffer.Dispose();
    }
}
