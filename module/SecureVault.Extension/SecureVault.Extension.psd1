# The SecretManagement extension vault of SecureVault. SecretManagement finds it as the nested
# module "<ModuleName>.Extension" and calls these commands in its own runspace. They are cmdlets of
# the same assembly as the SecureVault cmdlets, so both share one engine and one process-wide session.
@{
    RootModule        = '../SecureVault.PowerShell.dll'
    ModuleVersion     = '0.0.0'
    GUID              = '0d6b4b0e-8a51-4c3f-a7c5-2f3e9d1b6c72'
    Author            = 'SecureVault contributors'
    Description       = 'SecretManagement extension vault for SecureVault.'
    PowerShellVersion = '7.4'
    CmdletsToExport   = @(
        'Get-Secret'
        'Set-Secret'
        'Remove-Secret'
        'Get-SecretInfo'
        'Test-SecretVault'
        'Set-SecretInfo'
        'Unlock-SecretVault'
        'Unregister-SecretVault'
    )
    FunctionsToExport = @()
    AliasesToExport   = @()
    VariablesToExport = @()
}
