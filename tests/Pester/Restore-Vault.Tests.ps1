BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Restore-Vault' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'source.vault'
        $null = New-TestVault -Path $vault -Password $password
        Set-VaultKey -Vault $vault -Name 'alpha' -Value 'one'
        $backupPath = Join-Path -Path $TestDrive -ChildPath 'source.backup'
        $backup = Backup-Vault -Vault $vault -Path $backupPath
        Set-VaultKey -Vault $vault -Name 'later' -Value 'after the backup'
    }

    AfterAll {
        Lock-Vault -All
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'to a new path' {
        BeforeAll {
            $target = Join-Path -Path $TestDrive -ChildPath 'restored.vault'
            $result = Restore-Vault -Path $backupPath -Vault $target -Password $password -Confirm:$false
        }

        It 'returns the restore, from the backup''s head, over no vault' {
            $result.GetType().FullName | Should -Be 'SecureVault.VaultRestoreInfo'
            $result.HeadSeq | Should -Be $backup.HeadSeq
            $result.ReplacedHeadSeq | Should -BeNullOrEmpty
        }

        It 'creates a vault that holds every key of the backup and a chain that verifies' {
            Unlock-Vault -Vault $target -Password $password
            Get-VaultKey -Vault $target -Name 'alpha' -AsPlainText | Should -Be 'one'
            Test-VaultAuditChain -Vault $target | Should -BeTrue
            (Get-VaultAuditLog -Vault $target -Action 'vault-restore' -Last 1).Outcome | Should -Be 'success'
        }

        It 'creates the vault readable by its owner only' -Skip:$IsWindows {
            [System.IO.File]::GetUnixFileMode($target) | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
        }
    }

    Context 'over a vault that has moved on since the backup' {
        It 'fails with InvalidInput without -Force and changes nothing' {
            { Restore-Vault -Path $backupPath -Vault $vault -Password $password -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            Get-VaultKey -Vault $vault -Name 'later' -AsPlainText | Should -Be 'after the backup'
        }

        It 'puts the backup back with -Force and locks the vault' {
            $null = Restore-Vault -Path $backupPath -Vault $vault -Password $password -Force -Confirm:$false
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeTrue
            Unlock-Vault -Vault $vault -Password $password
            { Get-VaultKey -Vault $vault -Name 'later' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'with a tampered backup' {
        It 'fails with IntegrityViolation and creates nothing' {
            $tampered = Join-Path -Path $TestDrive -ChildPath 'tampered.backup'
            $bytes = [System.IO.File]::ReadAllBytes($backupPath)
            $bytes[$bytes.Length - 200] = $bytes[$bytes.Length - 200] -bxor 0xFF
            [System.IO.File]::WriteAllBytes($tampered, $bytes)
            $target = Join-Path -Path $TestDrive -ChildPath 'never.vault'
            { Restore-Vault -Path $tampered -Vault $target -Password $password -Confirm:$false } | Should -Throw -ErrorId 'IntegrityViolation*'
            Test-Path -LiteralPath $target | Should -BeFalse
        }
    }

    Context 'with -WhatIf' {
        It 'creates nothing' {
            $target = Join-Path -Path $TestDrive -ChildPath 'what-if.vault'
            Restore-Vault -Path $backupPath -Vault $target -Password $password -WhatIf
            Test-Path -LiteralPath $target | Should -BeFalse
        }
    }
}
