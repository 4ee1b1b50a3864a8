using SecureVault.Sessions;

namespace SecureVault.Tests;

/// <summary>A clock that only moves when the test moves it, so idle timeouts are tested without waiting.</summary>
public sealed class ManualClock : IClock
{
    private long _ticks = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks;

    public DateTimeOffset UtcNow => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
