namespace SecureVault.Sessions;

/// <summary>The time source of sessions and records; tests inject a clock they move by hand.</summary>
public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

/// <summary>The system clock.</summary>
public sealed class SystemClock : IClock
{
    public static SystemClock Instance { get; } = new();

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
