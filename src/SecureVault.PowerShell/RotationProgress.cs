using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell;

/// <summary>
/// Writes the progress of a long engine operation (data keys rotated on a principal's demotion or
/// removal, a rotation run, a rekey). WriteProgress is allowed only on the pipeline thread: the
/// engine calls back on the calling thread, and a call from any other thread is dropped rather than thrown.
/// </summary>
internal sealed class RotationProgress(Cmdlet cmdlet, string activity, string unit)
{
    private const int ProgressId = 1;
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;

    public void Report(long done, long total)
    {
        if (Environment.CurrentManagedThreadId != _pipelineThread) return;
        cmdlet.WriteProgress(new ProgressRecord(ProgressId, activity, $"{done} of {total} {unit}")
        {
            PercentComplete = total > 0 ? (int)Math.Min(100, 100 * done / total) : 100,
        });
    }

    /// <summary>Progress as the rotation engine reports it: its own activity, and the item in hand as the current operation.</summary>
    public void Report(RotationProgressInfo info)
    {
        if (Environment.CurrentManagedThreadId != _pipelineThread) return;
        cmdlet.WriteProgress(new ProgressRecord(ProgressId, string.IsNullOrEmpty(info.Activity) ? activity : info.Activity, $"{info.Done} of {info.Total} {unit}")
        {
            PercentComplete = info.Total > 0 ? (int)Math.Min(100, 100L * info.Done / info.Total) : 100,
            CurrentOperation = info.Current,
        });
    }

    public void Complete()
    {
        if (Environment.CurrentManagedThreadId != _pipelineThread) return;
        cmdlet.WriteProgress(new ProgressRecord(ProgressId, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
