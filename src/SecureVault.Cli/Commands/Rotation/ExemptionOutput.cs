using System.Text.Json;
using SecureVault.Cli.Output;
using SecureVault.Rotation;

namespace SecureVault.Cli.Commands.Rotation;

/// <summary>How <c>rotation exempt</c> and <c>rotation exemptions</c> print exemptions: a table or JSON Lines.</summary>
internal static class ExemptionOutput
{
    /// <summary>Writes <paramref name="exemptions"/> as JSON Lines when <paramref name="json"/>, else as a table.</summary>
    public static void Write(IEnumerable<VaultRotationExemption> exemptions, bool json)
    {
        if (json)
        {
            foreach (var exemption in exemptions) JsonLine.Write(writer => WriteJson(writer, exemption));
            return;
        }
        var table = new Table("ID", "COVERS", "UNTIL (UTC)", "ACTIVE", "CREATED BY", "REASON");
        foreach (var exemption in exemptions)
        {
            table.Add(exemption.Id.ToString("D"), Covers(exemption), Table.Time(exemption.Until), exemption.IsActive ? "yes" : "no",
                exemption.CreatedBy, exemption.Reason);
        }
        table.Write();
    }

    /// <summary>"service postgres*" or "key db-password".</summary>
    private static string Covers(VaultRotationExemption exemption) =>
        exemption.Service is { } service ? $"service {service}" : $"key {exemption.Key}";

    private static void WriteJson(Utf8JsonWriter json, VaultRotationExemption exemption)
    {
        json.WriteString("id", exemption.Id.ToString("D"));
        json.WriteNullable("service", exemption.Service);
        json.WriteNullable("key", exemption.Key);
        json.WriteString("reason", exemption.Reason);
        json.WriteString("until", JsonLine.Timestamp(exemption.Until));
        json.WriteString("created", JsonLine.Timestamp(exemption.Created));
        json.WriteString("createdBy", exemption.CreatedBy);
        json.WriteBoolean("isActive", exemption.IsActive);
        json.WriteString("vault", exemption.Vault);
    }
}
