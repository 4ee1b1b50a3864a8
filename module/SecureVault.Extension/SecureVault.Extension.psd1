# Placeholder for the SecretManagement extension vault (issue 3 fills it: Get-Secret, Set-Secret,
# Remove-Secret, Get-SecretInfo, Test-SecretVault, ...). It exports nothing yet and is not listed
# in SecureVault.psd1's NestedModules until it does.
@{
    ModuleVersion     = '0.0.0'
    GUID              = '0d6b4b0e-8a51-4c3f-a7c5-2f3e9d1b6c72'
    Author            = 'SecureVault contributors'
    Description       = 'SecretManagement extension vault for SecureVault (not implemented yet).'
    PowerShellVersion = '7.4'
    FunctionsToExport = @()
    CmdletsToExport   = @()
    AliasesToExport   = @()
    VariablesToExport = @()
}
