using System.Diagnostics;

namespace SecureVault.Bench;

/// <summary>
/// Timings of one measured operation, kept in Stopwatch ticks and summarized in milliseconds.
/// Percentiles use the nearest-rank method (no interpolation), so p99 of 1000 samples is the
/// 990th smallest: a real observed latency, not a blend of two.
/// </summary>
public sealed class Samples
{
    private readonly List<long> _ticks;

    public Samples(int capacity = 0) => _ticks = new List<long>(capacity);

    public int Count => _ticks.Count;

    /// <summary>Adds one sample measured with <see cref="Stopwatch.GetTimestamp"/> deltas.</summary>
    public void Add(long elapsedTicks) => _ticks.Add(elapsedTicks);

    /// <summary>Times <paramref name="operation"/> once and records it.</summary>
    public void Time(Action operation)
    {
        long start = Stopwatch.GetTimestamp();
        operation();
        Add(Stopwatch.GetTimestamp() - start);
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0-100], in milliseconds.</summary>
    public double PercentileMs(double p)
    {
        if (_ticks.Count == 0) return double.NaN;
        var sorted = _ticks.Order().ToArray();
        int rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return ToMs(sorted[Math.Clamp(rank, 1, sorted.Length) - 1]);
    }

    public double MedianMs => PercentileMs(50);

    public double MinMs => _ticks.Count == 0 ? double.NaN : ToMs(_ticks.Min());

    public double MaxMs => _ticks.Count == 0 ? double.NaN : ToMs(_ticks.Max());

    /// <summary>Every sample in the order taken, in milliseconds.</summary>
    public IEnumerable<double> AllMs() => _ticks.Select(ToMs);

    public double MeanMs => _ticks.Count == 0 ? double.NaN : ToMs((long)_ticks.Average());

    /// <summary>The usual summary: count, p50, p99, min, max, mean.</summary>
    public LatencySummary Summarize() => new(Count, Round(PercentileMs(50)), Round(PercentileMs(99)), Round(MinMs), Round(MaxMs), Round(MeanMs));

    private static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Round(double ms) => Math.Round(ms, 4);
}

/// <summary>A latency distribution in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50Ms, double P99Ms, double MinMs, double MaxMs, double MeanMs);
