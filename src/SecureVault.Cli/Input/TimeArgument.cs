using System.Globalization;
using System.Text.RegularExpressions;

namespace SecureVault.Cli.Input;

/// <summary>
/// Reads a point in time given on the command line (<c>--since</c>, <c>--until</c>): either a
/// date and time (ISO 8601, e.g. <c>2025-01-02</c> or <c>2025-01-02T10:00:00Z</c>; local time
/// unless it names <c>Z</c> or an offset), or an age, a whole number followed by s, m, h or d
/// (<c>90m</c>, <c>24h</c>, <c>7d</c>), meaning that long before now.
/// </summary>
internal static partial class TimeArgument
{
    /// <summary>The time as UTC, or null when <paramref name="text"/> is null; a usage error when it is neither form.</summary>
    public static DateTime? Parse(string? text, string option, DateTime utcNow)
    {
        if (text is null) return null;
        var age = Age().Match(text.Trim());
        if (age.Success && long.TryParse(age.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            // Ages are capped at 100 years: an absurd one means "from the beginning", not an overflow.
            var span = age.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(Math.Min(amount, 3_153_600_000)),
                "m" => TimeSpan.FromMinutes(Math.Min(amount, 52_560_000)),
                "h" => TimeSpan.FromHours(Math.Min(amount, 876_000)),
                _ => TimeSpan.FromDays(Math.Min(amount, 36_500)),
            };
            return utcNow - span;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal | DateTimeStyles.AllowWhiteSpaces, out var time))
            return time.UtcDateTime;
        throw new CliUsageException($"{option} takes a date and time (2025-01-02, 2025-01-02T10:00:00Z) or an age (90m, 24h, 7d); '{text}' is neither.");
    }

    /// <summary>
    /// A date and time only (no age form), as UTC: for a moment in the future such as an
    /// exemption's end, where "7d" would be ambiguous (the other options read it as "7 days ago").
    /// </summary>
    public static DateTime ParseDate(string text, string option)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal | DateTimeStyles.AllowWhiteSpaces, out var time))
            return time.UtcDateTime;
        throw new CliUsageException($"{option} takes a date and time (2025-01-02, 2025-01-02T10:00:00Z; local time unless Z or an offset); '{text}' is not one.");
    }

    [GeneratedRegex("^([0-9]{1,12})([smhd])$")]
    private static partial Regex Age();
}
