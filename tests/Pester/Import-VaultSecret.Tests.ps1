BeforeDiscovery {
    # Import-VaultSecret reads through the real SecretManagement; without it there is nothing to import from.
    $hasSecretManagement = [bool](Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretManagement)
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Import-VaultSecret' -Skip:(-not $hasSecretManagement) {
    BeforeAll {
        Import-Module -Name Microsoft.PowerShell.SecretManagement -ErrorAction Stop
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $sourcePath = Join-Path -Path $TestDrive -ChildPath 'import-source.vault'
        $targetPath = Join-Path -Path $TestDrive -ChildPath 'import-target.vault'
        $null = New-TestVault -Path $sourcePath -Password $password
        $null = New-TestVault -Path $targetPath -Password $password
        $sourceName = "SVImport-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $modulePath = (Get-Module -Name SecureVault).ModuleBase
        Register-SecretVault -Name $sourceName -ModuleName $modulePath -VaultParameters @{ Vault = $sourcePath }

        Set-Secret -Vault $sourceName -Name 'import/text' -Secret 'text value' -Metadata @{ Description = 'from the source'; Owner = 'ops' }
        Set-Secret -Vault $sourceName -Name 'import/bytes' -Secret ([byte[]](1, 2, 3))
        Set-VaultKey -Vault $targetPath -Name 'import/existing' -Value 'target value'
        Set-Secret -Vault $sourceName -Name 'import/existing' -Secret 'source value'
    }

    AfterAll {
        Unregister-SecretVault -Name $sourceName -ErrorAction SilentlyContinue
        Lock-Vault -Vault $sourcePath
        Lock-Vault -Vault $targetPath
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -WhatIf' {
        It 'writes nothing' {
            Import-VaultSecret -Vault $targetPath -SourceVault $sourceName -Name 'import/text' -WhatIf
            Get-VaultKeyInfo -Vault $targetPath -Name 'import/text*' | Should -BeNullOrEmpty
        }
    }

    Context 'importing every secret' {
        BeforeAll {
            $imported = Import-VaultSecret -Vault $targetPath -SourceVault $sourceName -PassThru -WarningVariable skipped -WarningAction SilentlyContinue
        }

        It 'imports the new secrets and reports them' {
            @($imported.Name | Sort-Object) | Should -Be @('import/bytes', 'import/text')
        }

        It 'keeps a text secret of type String' {
            (Get-VaultKeyInfo -Vault $targetPath -Name 'import/text').Type | Should -Be 'String'
            Get-VaultKey -Vault $targetPath -Name 'import/text' -AsPlainText | Should -BeExactly 'text value'
        }

        It 'keeps bytes exactly' {
            $bytes = Get-VaultKey -Vault $targetPath -Name 'import/bytes'
            , $bytes | Should -BeOfType ([byte[]])
            $bytes | Should -Be @(1, 2, 3)
        }

        It 'carries the metadata over' {
            $info = Get-VaultKeyInfo -Vault $targetPath -Name 'import/text'
            $info.Description | Should -BeExactly 'from the source'
            $info.Fields['Owner'] | Should -BeExactly 'ops'
        }

        It 'skips a key that already exists, with a warning' {
            $skipped | Should -Not -BeNullOrEmpty
            Get-VaultKey -Vault $targetPath -Name 'import/existing' -AsPlainText | Should -BeExactly 'target value'
        }
    }

    Context 'with -Force' {
        It 'writes an existing key as a new version' {
            Import-VaultSecret -Vault $targetPath -SourceVault $sourceName -Name 'import/existing' -Force -Confirm:$false
            Get-VaultKey -Vault $targetPath -Name 'import/existing' -AsPlainText | Should -BeExactly 'source value'
            (Get-VaultKeyInfo -Vault $targetPath -Name 'import/existing').Version | Should -Be 2
        }
    }
}
