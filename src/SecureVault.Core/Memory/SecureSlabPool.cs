using System.Runtime.InteropServices;

namespace SecureVault.Memory;

/// <summary>
/// Slots for small secure buffers (up to 4 KiB), carved from 64 KiB slabs that are locked into
/// RAM (and marked MADV_DONTDUMP) once and kept for the life of the process. Locking pages costs
/// system calls (~10 us per buffer measured here); a read of one key needs several buffers, so
/// renting slots keeps the read path free of them.
/// </summary>
/// <remarks>Invariant: a slot on a free list is all zeros (the buffer zeroizes it before returning it).</remarks>
internal static unsafe class SecureSlabPool
{
    private const int SlabBytes = 64 * 1024;
    private static readonly int[] SlotSizes = [64, 256, 1024, 4096];
    private static readonly Stack<IntPtr>[] FreeSlots = SlotSizes.Select(_ => new Stack<IntPtr>()).ToArray();
    private static readonly object Gate = new();

    /// <summary>The size class for <paramref name="length"/> bytes, or -1 when the buffer needs its own pages.</summary>
    public static int ClassFor(int length)
    {
        for (int i = 0; i < SlotSizes.Length; i++) if (length <= SlotSizes[i]) return i;
        return -1;
    }

    /// <summary>The slot size of a class.</summary>
    public static int SlotSize(int sizeClass) => SlotSizes[sizeClass];

    /// <summary>A zero-filled slot of the class.</summary>
    public static byte* Rent(int sizeClass)
    {
        lock (Gate)
        {
            var free = FreeSlots[sizeClass];
            if (free.Count == 0) AddSlab(sizeClass, free);
            return (byte*)free.Pop();
        }
    }

    /// <summary>Takes back a slot that the caller has already zeroized.</summary>
    public static void Return(int sizeClass, byte* slot)
    {
        lock (Gate) FreeSlots[sizeClass].Push((IntPtr)slot);
    }

    private static void AddSlab(int sizeClass, Stack<IntPtr> free)
    {
        var slab = (byte*)NativeMemory.AlignedAlloc(SlabBytes, MemoryLocking.PageSize);
        NativeMemory.Clear(slab, SlabBytes);
        MemoryLocking.TryLock(slab, SlabBytes);
        int size = SlotSizes[sizeClass];
        for (int offset = SlabBytes - size; offset >= 0; offset -= size) free.Push((IntPtr)(slab + offset));
    }
}
