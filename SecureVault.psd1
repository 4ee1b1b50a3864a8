# Source manifest. build.sh / build.ps1 copy it into out/SecureVault/ and stamp ModuleVersion
# from Directory.Build.props (the one place the version lives).
@{
    RootModule           = 'SecureVault.PowerShell.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '5b8f0f4e-3c1d-4a7e-9d2a-6f1e2b7c9a41'
    Author               = 'SecureVault contributors'
    CompanyName          = 'SecureVault'
    Copyright            = '(c) SecureVault contributors. All rights reserved.'
    Description          = 'An encrypted, audited, multi-user secret vault for PowerShell: Argon2id, AES-256-GCM, per-key data keys, a blind name index, a process-wide session and a signed, hash-chained audit trail.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('SecureVault.format.ps1xml')
    # The SecretManagement extension vault: its Get-Secret, Set-Secret, ... are exported by the
    # nested module only, never by this root module (they would shadow SecretManagement's own).
    NestedModules        = @('SecureVault.Extension')
    CmdletsToExport      = @(
        'New-Vault'
        'Unlock-Vault'
        'Lock-Vault'
        'Get-VaultStatus'
        'Set-VaultKey'
        'Get-VaultKey'
        'Get-VaultKeyInfo'
        'Remove-VaultKey'
        'Set-VaultPassword'
        'Import-VaultSecret'
        'Test-VaultAuditChain'
        'Test-Vault'
        'Export-VaultAuditHead'
        'Get-VaultAuditLog'
        'Export-VaultAuditLog'
        'Get-VaultAuditPolicy'
        'Set-VaultAuditPolicy'
        'Remove-VaultAuditRecord'
        'Get-VaultAlert'
        'New-VaultPrincipal'
        'Get-VaultPrincipal'
        'Set-VaultPrincipal'
        'Remove-VaultPrincipal'
        'Unlock-VaultPrincipal'
        'Get-VaultLockoutPolicy'
        'Set-VaultLockoutPolicy'
        'Get-VaultRole'
        'Grant-VaultAccess'
        'Revoke-VaultAccess'
        'Get-VaultAccess'
        'Enable-VaultMfa'
        'Disable-VaultMfa'
        'Add-VaultKeyslot'
        'Remove-VaultKeyslot'
        'Get-VaultRotationPolicy'
        'Set-VaultRotationPolicy'
        'Add-VaultRotationExemption'
        'Get-VaultRotationExemption'
        'Remove-VaultRotationExemption'
        'Get-VaultRotationStatus'
        'Update-VaultKey'
        'Invoke-VaultRotation'
        'Get-VaultKeyHistory'
        'Restore-VaultKey'
        'Update-VaultEncryptionKey'
        'Backup-Vault'
        'Restore-Vault'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('SecretManagement', 'Secrets', 'Vault', 'Security', 'Encryption', 'Argon2', 'Linux', 'Windows', 'MacOS')
            ProjectUri = 'https://example.invalid/securevault'
        }
    }
}
