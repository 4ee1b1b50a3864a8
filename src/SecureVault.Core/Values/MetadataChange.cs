namespace SecureVault.Values;

/// <summary>
/// A <see cref="KeyUpdate"/> after validation, so that bad input is refused before any
/// transaction starts. Null leaves a field as it is; an empty service or description clears it;
/// fields, when given, replace all typed fields.
/// </summary>
internal sealed record MetadataChange(string[]? Tags, string? Service, string? Description, Dictionary<string, KeyFieldValue>? Fields)
{
    public static MetadataChange From(KeyUpdate update) => new(
        update.Tags is null ? null : KeyNames.ValidateTags(update.Tags),
        KeyNames.ValidateText(update.Service, "The service", KeyNames.MaxServiceLength),
        KeyNames.ValidateText(update.Description, "The description", KeyNames.MaxDescriptionLength),
        update.Fields is null ? null : KeyFields.From(update.Fields));

    public void ApplyTo(KeyMetadata metadata)
    {
        if (Tags != null) metadata.Tags = Tags;
        if (Service != null) metadata.Service = Service.Length == 0 ? null : Service;
        if (Description != null) metadata.Description = Description.Length == 0 ? null : Description;
        if (Fields != null) metadata.Fields = Fields.Count == 0 ? null : Fields;
    }
}
