namespace SecureVault.Bench;

/// <summary>
/// Bytes this process has handed to write calls so far (Linux /proc/self/io "wchar"), to report
/// how much a durable Set writes: WAL frames plus its share of checkpoints. Null elsewhere.
/// </summary>
public static class ProcessIo
{
    public static long? BytesWritten()
    {
        const string io = "/proc/self/io";
        if (!File.Exists(io)) return null;
        foreach (var line in File.ReadLines(io))
        {
            if (line.StartsWith("wchar:", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6).Trim(), out long value)) return value;
        }
        return null;
    }
}
