using System.Diagnostics;

namespace SecureVault.Bench;

/// <summary>
/// The floor under any durable write on this disk: rewrite 4 KiB of a file and fsync it, as a
/// SQLite commit in WAL mode with synchronous=FULL does (it syncs the -wal once per commit). A
/// durable Set cannot be faster than this; the gap above it is the engine's own work.
/// </summary>
public static class DiskReference
{
    public static LatencySummary Fsync4K(string folder, int runs)
    {
        var path = Path.Combine(folder, "fsync-reference.tmp");
        var page = new byte[4096];
        var samples = new Samples(runs);
        try
        {
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            for (int i = -5; i < runs; i++) // five unrecorded warm-up rounds (the file's first blocks get allocated)
            {
                file.Position = (i & 7) * page.Length; // rewrite a few pages in place, like a WAL reused after a checkpoint
                long start = Stopwatch.GetTimestamp();
                file.Write(page);
                file.Flush(flushToDisk: true);
                if (i >= 0) samples.Add(Stopwatch.GetTimestamp() - start);
            }
        }
        finally
        {
            File.Delete(path);
        }
        return samples.Summarize();
    }
}
