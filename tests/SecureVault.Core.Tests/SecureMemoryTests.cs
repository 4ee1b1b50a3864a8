using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Secure buffers (locked, zeroized native memory) and SecureString conversion without strings.</summary>
public sealed unsafe class SecureMemoryTests
{
    [Fact]
    public void A_buffer_starts_zeroed_and_holds_what_is_written()
    {
        using var buffer = new SecureBuffer(100);
        Assert.Equal(100, buffer.Length);
        Assert.All(buffer.ToArray(), b => Assert.Equal(0, b));

        RandomNumberGenerator.Fill(buffer.Span);
        var copy = SecureBuffer.CopyOf(buffer.ReadOnlySpan);
        Assert.Equal(buffer.ToArray(), copy.ToArray());
        copy.Dispose();
    }

    [Fact]
    public void After_dispose_every_access_throws_ObjectDisposedException_and_dispose_may_repeat()
    {
        var buffer = SecureBuffer.CopyOf([1, 2, 3]);
        buffer.Dispose();
        buffer.Dispose();

        Assert.True(buffer.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => buffer.ReadOnlySpan.Length);
        Assert.Throws<ObjectDisposedException>(() => buffer.ToArray());
    }

    [Fact]
    public void An_empty_buffer_is_allowed_and_a_negative_length_is_not()
    {
        using var empty = new SecureBuffer(0);
        Assert.Equal(0, empty.Span.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SecureBuffer(-1));
    }

    [Fact]
    public void Dispose_overwrites_the_secret_before_the_memory_is_released()
    {
        // Reads the released address through /proc/self/mem, which reports unmapped memory as an
        // I/O error instead of faulting. Without zeroization free() would leave almost every byte
        // of the secret in place; afterwards no 16-byte run of it may remain.
        if (!OperatingSystem.IsLinux()) return; // /proc/self/mem is the safe way to look at released memory
        int length = (int)MemoryLocking.PageSize;
        var secret = new byte[length];
        RandomNumberGenerator.Fill(secret);
        for (int i = 0; i < secret.Length; i++) secret[i] |= 1; // no zero bytes: zeroed memory never matches

        var buffer = SecureBuffer.CopyOf(secret);
        long address;
        fixed (byte* p = buffer.Span) address = (long)p;
        Assert.Equal(secret, ReadOwnMemory(address, length));
        buffer.Dispose();

        var after = ReadOwnMemory(address, length);
        if (after is null) return; // the pages went back to the OS: nothing is left to read
        for (int i = 0; i + 16 <= length; i++)
            Assert.False(after.AsSpan(i, 16).SequenceEqual(secret.AsSpan(i, 16)), $"secret bytes remain at offset {i}");
    }

    [Fact]
    public void A_buffer_is_locked_into_RAM_and_excluded_from_core_dumps_when_the_status_says_so()
    {
        if (!OperatingSystem.IsLinux()) return; // the kernel's per-mapping flags are only visible in /proc/self/smaps
        using var buffer = new SecureBuffer(64);
        long address;
        fixed (byte* p = buffer.Span) address = (long)p;

        var status = MemoryLocking.Status;
        Assert.False(string.IsNullOrWhiteSpace(status.Detail));
        if (status.IsLocked)
        {
            // No failure so far in this process, so this buffer's mlock and madvise succeeded too.
            Assert.Equal("mlock + MADV_DONTDUMP", status.Detail);
            var flags = VmFlagsAt(address);
            Assert.Contains("lo", flags); // VM_LOCKED
            Assert.Contains("dd", flags); // VM_DONTDUMP
        }
        else
        {
            Assert.Contains("failed", status.Detail);
        }
    }

    [Fact]
    public void The_vault_status_reports_the_memory_locking_state_with_a_detail()
    {
        using var vault = new TestVault();
        var status = vault.Engine.GetStatus();
        Assert.False(string.IsNullOrWhiteSpace(status.MemoryLockDetail));
        var now = MemoryLocking.Status;
        // A failure is sticky for the process, so a reported failure can never turn into success.
        if (!status.MemoryLocked) Assert.False(now.IsLocked);
        if (now.IsLocked) Assert.Equal(now.Detail, status.MemoryLockDetail);
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("ünïcødé ✓ 密码 🔑🗝️ e\u0301")]
    [InlineData("")]
    public void A_SecureString_converts_to_UTF8_and_back_without_change(string text)
    {
        using var original = Secrets.Secure(text);
        using var utf8 = SecureText.ToUtf8(original);
        Assert.Equal(Encoding.UTF8.GetBytes(text), utf8.ToArray());

        using var back = SecureText.ToSecureString(utf8.ReadOnlySpan);
        Assert.True(back.IsReadOnly());
        Assert.Equal(text.Length, back.Length);
        IntPtr chars = Marshal.SecureStringToGlobalAllocUnicode(back);
        try
        {
            Assert.True(new ReadOnlySpan<char>((void*)chars, back.Length).SequenceEqual(text));
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(chars);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0x80 })]        // overlong NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]  // an encoded lone surrogate
    [InlineData(new byte[] { 0xE2, 0x82 })]        // truncated sequence
    public void Malformed_UTF8_is_recognized_and_not_turned_into_a_SecureString(byte[] bytes)
    {
        Assert.False(SecureText.IsValidUtf8(bytes));
        Assert.ThrowsAny<ArgumentException>(() => SecureText.ToSecureString(bytes));
    }

    [Theory]
    [InlineData(new byte[] { 0x70, 0xED, 0xA0, 0x80 })] // an encoded lone surrogate (U+D800)
    [InlineData(new byte[] { 0x70, 0xC3 })]             // a sequence cut short
    [InlineData(new byte[] { 0xC0, 0xAF })]             // an overlong "/"
    public void Secret_bytes_that_are_not_strict_utf8_are_refused_by_name(byte[] bytes)
    {
        var error = Assert.Throws<VaultInvalidInputException>(() => SecureText.RequireWellFormedUtf8(bytes, "The value"));
        Assert.StartsWith("The value is not valid UTF-8 text", error.Message);
    }

    [Fact]
    public void Well_formed_utf8_secret_bytes_pass()
    {
        SecureText.RequireWellFormedUtf8("p\u00e4ss \U0001F511"u8, "The password");
        SecureText.RequireWellFormedUtf8([], "The password");
    }

    [Fact]
    public void Constant_time_comparison_tells_equal_from_different_bytes()
    {
        Assert.True(SecureText.FixedTimeEquals([1, 2, 3], [1, 2, 3]));
        Assert.False(SecureText.FixedTimeEquals([1, 2, 3], [1, 2, 4]));
        Assert.False(SecureText.FixedTimeEquals([1, 2, 3], [1, 2]));
    }

    [Fact]
    public void Disposing_a_value_disposes_every_buffer_it_holds()
    {
        var text = SecretText.FromString("t");
        var bytes = SecretBytes.CopyOf([1]);
        var credential = Secrets.Credential("u", "p");
        var table = new SecretTable([new SecretTableEntry("a", text), new SecretTableEntry("b", bytes), new SecretTableEntry("c", credential)]);

        table.Dispose();

        Assert.True(text.Utf8.IsDisposed);
        Assert.True(bytes.Bytes.IsDisposed);
        Assert.True(credential.Password.Utf8.IsDisposed);
    }

    [Fact]
    public void A_value_read_from_the_vault_lives_in_a_secure_buffer_the_caller_disposes()
    {
        using var vault = new TestVault();
        using (var value = SecretText.FromString("read me")) vault.Engine.SetKey("k", value);

        var read = Assert.IsType<SecretText>(vault.Engine.GetKey("k"));
        Assert.False(read.Utf8.IsDisposed);
        read.Dispose();
        Assert.True(read.Utf8.IsDisposed);
    }

    /// <summary>Bytes at an address of this process, or null when the address is no longer mapped.</summary>
    private static byte[]? ReadOwnMemory(long address, int length)
    {
        using var handle = File.OpenHandle("/proc/self/mem", FileMode.Open, FileAccess.Read);
        var bytes = new byte[length];
        try
        {
            return RandomAccess.Read(handle, bytes, address) == length ? bytes : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The VmFlags of the mapping that contains <paramref name="address"/>, from /proc/self/smaps.</summary>
    private static string[] VmFlagsAt(long address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out long start)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out long end))
            {
                inside = address >= start && address < end;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }
        throw new InvalidOperationException($"no mapping in /proc/self/smaps contains 0x{address:x}");
    }
}
