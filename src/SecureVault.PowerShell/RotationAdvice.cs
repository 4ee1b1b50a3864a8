using SecureVault.Rotation;

namespace SecureVault.PowerShell;

/// <summary>The rotation warning of a read, with what to do next in cmdlet terms.</summary>
internal static class RotationAdvice
{
    public static string For(VaultRotationWarning warning) => warning.State == RotationState.Overdue
        ? $"{warning.Message} Rotate it now with Update-VaultKey -Name '{warning.Name}', or exempt it with Add-VaultRotationExemption."
        : $"{warning.Message} Rotate it with Update-VaultKey -Name '{warning.Name}' or Invoke-VaultRotation -Due.";
}
