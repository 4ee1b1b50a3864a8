using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Output;
using SecureVault.Rotation;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault rekey</c>: rotates every key's data key (in batches, one transaction each) and
/// then the metadata key. Progress goes to stderr, one line per step, also when stderr is not a
/// terminal (a long run's log should show how far it got); the result goes to stdout. Ctrl+C or
/// SIGTERM stops it between batches; the vault stays readable and running <c>rekey</c> again
/// resumes. Admins only.
/// </summary>
internal sealed class RekeyCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<int> _batchSize = new("--batch-size")
    {
        Description = "Data keys rotated per transaction. Smaller batches hold the vault's write lock for shorter times.",
        HelpName = "N",
        DefaultValueFactory = _ => 100,
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the result as one JSON object." };

    public override Command Build() => Define("rekey",
        "Re-encrypt the vault under new keys: every data key, then the metadata key. Interruptible; a rerun resumes.", _batchSize, _json);

    protected override int Execute(ParseResult parse)
    {
        int batchSize = parse.GetValue(_batchSize);
        if (batchSize < 1) throw new VaultInvalidInputException("--batch-size must be 1 or more.");
        using var interruption = new Interruption();
        VaultRekeyResult result;
        try
        {
            result = Common.Unlocked(parse, engine => engine.RekeyVault(Progress, batchSize, interruption.Token));
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            return ErrorReporter.Report(
                "rekey interrupted between batches. The vault is consistent and readable with the same passwords and certificates; " +
                "run 'securevault rekey' again to resume where this run stopped.", ExitCodes.Interrupted);
        }
        if (parse.GetValue(_json)) WriteJson(result);
        else StandardOutput.WriteLine(Summary(result));
        return ExitCodes.Ok;
    }

    /// <summary>"rekey: rotating data keys: 120/400" on stderr, written through at once, so a watcher sees each batch as it commits.</summary>
    private static void Progress(RotationProgressInfo progress)
    {
        var activity = progress.Activity.Length > 0 ? char.ToLowerInvariant(progress.Activity[0]) + progress.Activity[1..] : progress.Activity;
        Console.Error.WriteLine($"rekey: {activity}: {progress.Done.ToString(CultureInfo.InvariantCulture)}/{progress.Total.ToString(CultureInfo.InvariantCulture)}");
    }

    private static string Summary(VaultRekeyResult result) =>
        (result.Resumed ? "Resumed the interrupted rekey and completed it: " : "Rekeyed: ") +
        $"{result.DataKeysRotated} data key(s) rotated, {result.MetadataRecords} metadata record(s) re-encrypted, " +
        $"metadata key generation {result.Generation}. Other sessions must unlock again.";

    private static void WriteJson(VaultRekeyResult result) => JsonLine.Write(json =>
    {
        json.WriteString("vault", result.Vault);
        json.WriteNumber("dataKeysRotated", result.DataKeysRotated);
        json.WriteNumber("metadataRecords", result.MetadataRecords);
        json.WriteNumber("generation", result.Generation);
        json.WriteBoolean("resumed", result.Resumed);
    });
}
