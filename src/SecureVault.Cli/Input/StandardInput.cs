namespace SecureVault.Cli.Input;

/// <summary>
/// The one reader of stdin for the whole process. A password line and the value after it come
/// from the same stream, so every consumer must share one reader and its read-ahead.
/// </summary>
internal static class StandardInput
{
    private static readonly Lazy<SecureStreamReader> Shared = new(() => new SecureStreamReader(Console.OpenStandardInput()));

    /// <summary>The shared reader (created on first use; stdin is not touched before that).</summary>
    public static SecureStreamReader Reader => Shared.Value;

    /// <summary>Zeroizes the read-ahead, if stdin was read at all.</summary>
    public static void Close()
    {
        if (Shared.IsValueCreated) Shared.Value.Dispose();
    }
}
