using System.Globalization;
using System.Management.Automation;

namespace SecureVault.PowerShell;

/// <summary>
/// Lets a duration parameter take a number of days (90, 0.5, '30') as well as a TimeSpan
/// ('1.12:00:00', [timespan]::FromHours(36)). Without it PowerShell would turn a bare number into
/// ticks, and -MaxAge 90 would mean 9 microseconds.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DaysOrTimeSpanAttribute : ArgumentTransformationAttribute
{
    /// <summary>A number becomes that many days; anything else is left to PowerShell's own conversion to TimeSpan.</summary>
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
                => FromDays(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var days) => FromDays(days),
            _ => inputData,
        };
    }

    private static TimeSpan FromDays(double days)
    {
        if (double.IsNaN(days) || Math.Abs(days) >= TimeSpan.MaxValue.TotalDays)
            throw new ArgumentTransformationMetadataException($"{days.ToString(CultureInfo.InvariantCulture)} is not a usable number of days.");
        return TimeSpan.FromDays(days);
    }
}
