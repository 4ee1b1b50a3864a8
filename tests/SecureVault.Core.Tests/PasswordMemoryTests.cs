using System.Globalization;
using System.Security.Cryptography;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// After Lock, neither the password nor a value read in the session is left anywhere in this
/// process's memory: every readable anonymous mapping (managed heap, native heap, stacks) is scanned.
/// </summary>
/// <remarks>
/// The test never holds the secrets in one piece itself: each is kept as two random-looking halves
/// (a mask and the secret XOR the mask), put together only inside SecureBuffers that are zeroed
/// before the scan, and compared byte by byte while scanning. So a match can only be a copy left by
/// the product code (or the runtime on its behalf).
/// </remarks>
public sealed class PasswordMemoryTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    [Fact]
    public void After_Lock_neither_the_password_nor_a_decrypted_value_is_left_in_process_memory()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc/self/maps and /proc/self/mem
        var password = SplitSecret.Random(24);
        var value = SplitSecret.Random(40);
        using var vault = new TestVault(create: false);
        using (var pw = password.Join())
        {
            vault.Engine.Create(pw.ReadOnlySpan, "owner", TestVault.CheapKdf);
            using (var written = new SecretText(value.Join(), isSecureString: true)) vault.Engine.SetKey("k", written);
            vault.Engine.Lock();
            for (int i = 0; i < 3; i++)
            {
                vault.Engine.Unlock(pw.ReadOnlySpan, "owner");
                vault.Engine.GetKey("k").Dispose();
                vault.Engine.Lock();
            }
        }
        for (int i = 0; i < 2; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var found = new List<string>();
        found.AddRange(ProcessMemory.FindAll(password, "password (UTF-8)"));
        found.AddRange(ProcessMemory.FindAll(password.Widened(), "password (UTF-16)"));
        found.AddRange(ProcessMemory.FindAll(value, "value (UTF-8)"));
        Assert.True(found.Count == 0, "left in memory after Lock: " + string.Join("; ", found));
    }

    [Fact]
    public void The_scan_finds_a_secret_that_is_left_in_a_managed_array()
    {
        // The check of the check: a copy deliberately left behind is found.
        if (!OperatingSystem.IsLinux()) return;
        var secret = SplitSecret.Random(24);
        byte[] leftBehind;
        using (var joined = secret.Join()) leftBehind = joined.ToArray();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        Assert.NotEmpty(ProcessMemory.FindAll(secret, "planted"));
        GC.KeepAlive(leftBehind);
        CryptographicOperations.ZeroMemory(leftBehind);
    }

    /// <summary>A secret held as mask and masked bytes, so the plain bytes exist only where joined.</summary>
    internal sealed class SplitSecret(byte[] mask, byte[] masked)
    {
        public int Length => mask.Length;

        public byte this[int i] => (byte)(mask[i] ^ masked[i]);

        /// <summary>Random printable ASCII of <paramref name="length"/> characters, never built in one piece.</summary>
        public static SplitSecret Random(int length)
        {
            var mask = RandomNumberGenerator.GetBytes(length);
            var masked = new byte[length];
            for (int i = 0; i < length; i++) masked[i] = (byte)(Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)] ^ mask[i]);
            return new SplitSecret(mask, masked);
        }

        /// <summary>The plain bytes in a SecureBuffer (zeroed on dispose).</summary>
        public SecureBuffer Join()
        {
            var buffer = new SecureBuffer(Length);
            for (int i = 0; i < Length; i++) buffer.Span[i] = this[i];
            return buffer;
        }

        /// <summary>The UTF-16LE form of this ASCII secret, still split.</summary>
        public SplitSecret Widened()
        {
            var wideMask = RandomNumberGenerator.GetBytes(2 * Length);
            var wideMasked = new byte[2 * Length];
            for (int i = 0; i < Length; i++)
            {
                wideMasked[2 * i] = (byte)(this[i] ^ wideMask[2 * i]);
                wideMasked[2 * i + 1] = wideMask[2 * i + 1];
            }
            return new SplitSecret(wideMask, wideMasked);
        }
    }

    /// <summary>Scans this process's readable anonymous mappings through /proc/self/mem.</summary>
    internal static class ProcessMemory
    {
        private const int ChunkSize = 1 << 20;

        public static IEnumerable<string> FindAll(SplitSecret secret, string what)
        {
            var hits = new List<string>();
            var chunk = new byte[ChunkSize + secret.Length];
            using var memory = File.OpenHandle("/proc/self/mem", FileMode.Open, FileAccess.Read);
            foreach (var (start, end, name) in AnonymousReadableMappings())
            {
                for (long at = start; at < end; at += ChunkSize)
                {
                    int want = (int)Math.Min(chunk.Length, end - at);
                    int read;
                    try { read = RandomAccess.Read(memory, chunk.AsSpan(0, want), at); }
                    catch (IOException) { break; } // unmapped meanwhile (the GC decommits), or a guard page
                    if (Contains(chunk.AsSpan(0, read), secret)) hits.Add($"{what} in {name} mapping at 0x{at:x}");
                }
            }
            Array.Clear(chunk);
            return hits;
        }

        private static bool Contains(ReadOnlySpan<byte> data, SplitSecret secret)
        {
            byte first = secret[0];
            int offset = 0;
            while (offset <= data.Length - secret.Length)
            {
                int i = data[offset..].IndexOf(first);
                if (i < 0 || offset + i > data.Length - secret.Length) return false;
                offset += i;
                int j = 1;
                while (j < secret.Length && data[offset + j] == secret[j]) j++;
                if (j == secret.Length) return true;
                offset++;
            }
            return false;
        }

        private static List<(long Start, long End, string Name)> AnonymousReadableMappings()
        {
            var result = new List<(long, long, string)>();
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 5 || fields[1][0] != 'r') continue;
                string name = fields.Length == 6 ? fields[5].Trim() : "";
                // Anonymous: no backing file ([heap], [stack], [anon:...] or nameless); [vvar] and [vsyscall] cannot be read.
                if (name.Length > 0 && !(name.StartsWith('[') && name is not "[vvar]" and not "[vsyscall]" and not "[vdso]")) continue;
                var range = fields[0].Split('-');
                result.Add((long.Parse(range[0], NumberStyles.HexNumber), long.Parse(range[1], NumberStyles.HexNumber), name.Length == 0 ? "anonymous" : name));
            }
            return result;
        }
    }
}
