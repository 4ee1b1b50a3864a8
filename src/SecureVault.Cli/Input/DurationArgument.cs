using System.Globalization;

namespace SecureVault.Cli.Input;

/// <summary>
/// Reads a policy duration (<c>--max-age</c>, <c>--warning</c>, <c>--grace</c>): a number of days
/// (<c>90</c>, <c>0.5</c>), or a time span written <c>[d.]hh:mm:ss</c> (<c>00:00:30</c>,
/// <c>1.12:00:00</c>), the second form for short test policies. The engine checks the ranges.
/// </summary>
internal static class DurationArgument
{
    // Beyond any policy the engine accepts (3650 days), yet far from TimeSpan's overflow.
    private const double MaxDays = 1_000_000;

    /// <summary>The duration, or null when <paramref name="text"/> is null; a usage error when it is neither form.</summary>
    public static TimeSpan? Parse(string? text, string option)
    {
        if (text is null) return null;
        var trimmed = text.Trim();
        if (trimmed.Contains(':'))
        {
            if (TimeSpan.TryParseExact(trimmed, "c", CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        }
        else if (double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double days) && days <= MaxDays)
        {
            return TimeSpan.FromDays(days);
        }
        throw new CliUsageException($"{option} takes a number of days (90, 0.5) or a time span [d.]hh:mm:ss (00:00:30, 1.12:00:00); '{text}' is neither.");
    }
}
