using System.Text;

namespace SecureVault.Cli.Output;

/// <summary>
/// Writes to stdout through the raw, unbuffered stream: secret bytes go from their secure
/// buffer to the file descriptor with no managed copy, and text shares the same stream so that
/// output never interleaves out of order.
/// </summary>
internal static class StandardOutput
{
    private static readonly Lazy<Stream> Raw = new(Console.OpenStandardOutput);

    /// <summary>The raw stdout stream, for output the engine writes itself (audit JSON Lines). Never dispose it.</summary>
    public static Stream Stream => Raw.Value;

    /// <summary>Writes bytes as they are.</summary>
    public static void Write(ReadOnlySpan<byte> bytes) => Raw.Value.Write(bytes);

    /// <summary>Writes <paramref name="text"/> as UTF-8 followed by "\n".</summary>
    public static void WriteLine(string text)
    {
        Write(Encoding.UTF8.GetBytes(text));
        Write("\n"u8);
    }
}
