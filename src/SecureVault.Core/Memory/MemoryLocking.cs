using System.Runtime.InteropServices;

namespace SecureVault.Memory;

/// <summary>The outcome of trying to lock secret memory into RAM in this process.</summary>
/// <param name="IsLocked">True when every secure buffer so far was locked (and excluded from dumps on Linux).</param>
/// <param name="Detail">What was done, or why locking failed and what to change.</param>
public sealed record MemoryLockStatus(bool IsLocked, string Detail);

/// <summary>
/// Locks pages into RAM (mlock on Unix, VirtualLock on Windows) and, on Linux, marks them
/// MADV_DONTDUMP so they never reach swap or a core dump. Failure is not fatal (the buffer
/// stays pinned and is still zeroized) but is reported through <see cref="Status"/>.
/// </summary>
internal static unsafe class MemoryLocking
{
    private const int MADV_DONTDUMP = 16;
    private static volatile MemoryLockStatus? _failure;

    public static readonly nuint PageSize = (nuint)Environment.SystemPageSize;

    public static nuint RoundToPages(nuint length) => (length + PageSize - 1) / PageSize * PageSize;

    /// <summary>What locking achieved in this process so far.</summary>
    public static MemoryLockStatus Status =>
        _failure ?? new MemoryLockStatus(true, OperatingSystem.IsWindows()
            ? "VirtualLock"
            : OperatingSystem.IsLinux() ? "mlock + MADV_DONTDUMP" : "mlock");

    public static bool TryLock(byte* pointer, nuint length)
    {
        bool ok;
        string? why = null;
        if (OperatingSystem.IsWindows())
        {
            ok = VirtualLock(pointer, length);
            if (!ok) why = $"VirtualLock failed (Win32 error {Marshal.GetLastPInvokeError()}): raise the process working-set minimum.";
        }
        else
        {
            ok = mlock(pointer, length) == 0;
            if (!ok)
            {
                int errno = Marshal.GetLastPInvokeError();
                why = $"mlock failed (errno {errno}): raise the locked-memory limit (ulimit -l) or grant CAP_IPC_LOCK.";
            }
            else if (OperatingSystem.IsLinux() && madvise(pointer, length, MADV_DONTDUMP) != 0)
            {
                why = $"madvise(MADV_DONTDUMP) failed (errno {Marshal.GetLastPInvokeError()}): secrets may appear in core dumps.";
            }
        }
        if (why != null) _failure = new MemoryLockStatus(false, why);
        return ok;
    }

    public static void Unlock(byte* pointer, nuint length)
    {
        if (OperatingSystem.IsWindows()) VirtualUnlock(pointer, length);
        else munlock(pointer, length);
    }

    [DllImport("libc", SetLastError = true)] private static extern int mlock(void* addr, nuint len);
    [DllImport("libc", SetLastError = true)] private static extern int munlock(void* addr, nuint len);
    [DllImport("libc", SetLastError = true)] private static extern int madvise(void* addr, nuint len, int advice);
    [DllImport("kernel32", SetLastError = true)] private static extern bool VirtualLock(void* addr, nuint size);
    [DllImport("kernel32", SetLastError = true)] private static extern bool VirtualUnlock(void* addr, nuint size);
}
