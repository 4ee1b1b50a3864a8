using SecureVault.Memory;

namespace SecureVault.Tests;

/// <summary>Small secure buffers share locked slabs: a slot is reused only after it was zeroized.</summary>
public unsafe class SecureSlabPoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(200)]
    [InlineData(1024)]
    [InlineData(4096)]
    public void A_slot_handed_out_again_is_zero_even_after_holding_a_secret(int length)
    {
        long first, second;
        var buffer = new SecureBuffer(length);
        buffer.Span.Fill(0xA5);
        fixed (byte* p = buffer.Span) first = (long)p;
        buffer.Dispose();

        using var next = new SecureBuffer(length);
        fixed (byte* p = next.Span) second = (long)p;
        Assert.Equal(first, second); // the freed slot is reused (last in, first out) ...
        Assert.True(next.Span.IndexOfAnyExcept((byte)0) < 0); // ... and holds nothing of the old secret
    }

    [Fact]
    public void Live_buffers_never_share_memory()
    {
        var buffers = Enumerable.Range(0, 300).Select(i => new SecureBuffer(1 + i % 4096)).ToList();
        try
        {
            var ranges = buffers.Select(b => { fixed (byte* p = b.Span) return ((long)p, (long)p + b.Length); }).OrderBy(r => r.Item1).ToList();
            for (int i = 1; i < ranges.Count; i++) Assert.True(ranges[i].Item1 >= ranges[i - 1].Item2, "two live buffers overlap");
        }
        finally
        {
            buffers.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public void A_buffer_larger_than_the_largest_slot_holds_all_its_bytes()
    {
        using var large = new SecureBuffer(5000);
        large.Span.Fill(1);
        Assert.Equal(5000, large.Length);
        Assert.Equal(5000, large.Span.ToArray().Count(b => b == 1));
    }
}
