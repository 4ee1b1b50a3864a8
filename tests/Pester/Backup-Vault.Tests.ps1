BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Backup-Vault' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'source.vault'
        $null = New-TestVault -Path $vault -Password $password
        Set-VaultKey -Vault $vault -Name 'alpha' -Value 'one'
        Set-VaultKey -Vault $vault -Name 'beta' -Value 'two'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with a new file' {
        BeforeAll {
            $path = Join-Path -Path $TestDrive -ChildPath 'source.backup'
            $backup = Backup-Vault -Vault $vault -Path $path
        }

        It 'returns the backup with the signed head it holds' {
            $backup.GetType().FullName | Should -Be 'SecureVault.VaultBackupInfo'
            $backup.Path | Should -Be $path
            $backup.HeadHash | Should -Match '^[0-9a-f]{64}$'
            $backup.Length | Should -Be (Get-Item -LiteralPath $path).Length
        }

        It 'records the backup in the vault, as the head of the copy' {
            $record = Get-VaultAuditLog -Vault $vault -Action 'backup' -Last 1
            $record.Seq | Should -Be $backup.HeadSeq
            $record.Outcome | Should -Be 'success'
        }

        It 'creates the file readable by its owner only' -Skip:$IsWindows {
            [System.IO.File]::GetUnixFileMode($path) | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
        }

        It 'writes one self-contained file' {
            Test-Path -LiteralPath "$path-wal" | Should -BeFalse
        }
    }

    Context 'when the file exists' {
        It 'fails with InvalidInput without -Force and leaves the file as it was' {
            $path = Join-Path -Path $TestDrive -ChildPath 'taken.backup'
            Set-Content -LiteralPath $path -Value 'keep me'
            { Backup-Vault -Vault $vault -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            Get-Content -LiteralPath $path | Should -Be 'keep me'
        }

        It 'replaces it with -Force' {
            $path = Join-Path -Path $TestDrive -ChildPath 'replace.backup'
            Set-Content -LiteralPath $path -Value 'old'
            $backup = Backup-Vault -Vault $vault -Path $path -Force
            $backup.Length | Should -BeGreaterThan 1000
        }
    }

    Context 'with -WhatIf' {
        It 'writes nothing' {
            $path = Join-Path -Path $TestDrive -ChildPath 'what-if.backup'
            Backup-Vault -Vault $vault -Path $path -WhatIf
            Test-Path -LiteralPath $path | Should -BeFalse
        }
    }

    Context 'on a locked vault' {
        It 'fails with VaultLocked' {
            $locked = Join-Path -Path $TestDrive -ChildPath 'locked.vault'
            $null = New-TestVault -Path $locked -Password $password
            Lock-Vault -Vault $locked
            { Backup-Vault -Vault $locked -Path (Join-Path -Path $TestDrive -ChildPath 'locked.backup') } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }

    Context 'when a PowerShell process ends with the vault still unlocked' {
        It 'leaves the vault as one file that a plain copy takes whole' {
            $closed = Join-Path -Path $TestDrive -ChildPath 'closed.vault'
            $manifest = Join-Path -Path (Get-Module -Name SecureVault).ModuleBase -ChildPath 'SecureVault.psd1'
            # This PowerShell's own executable; a dotnet-tool install runs pwsh.dll through the dotnet host.
            $executable = (Get-Process -Id $PID).Path
            $pwsh = if ((Split-Path -Path $executable -Leaf) -like 'dotnet*') { @($executable, (Join-Path -Path $PSHOME -ChildPath 'pwsh.dll')) } else { @($executable) }
            $script = "Import-Module '$manifest'; `$p = ConvertTo-SecureString 'correct horse battery staple' -AsPlainText -Force; " +
                "New-Vault -Vault '$closed' -Password `$p -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 | Out-Null; " +
                "1..20 | ForEach-Object { Set-VaultKey -Vault '$closed' -Name ""key`$_"" -Value ""value`$_"" }"
            & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script
            $LASTEXITCODE | Should -Be 0
            Test-Path -LiteralPath "$closed-wal" | Should -BeFalse
            $copy = Join-Path -Path $TestDrive -ChildPath 'closed-copy.vault'
            Copy-Item -LiteralPath $closed -Destination $copy
            Unlock-Vault -Vault $copy -Password $password
            try {
                Get-VaultKey -Vault $copy -Name 'key20' -AsPlainText | Should -Be 'value20'
            }
            finally {
                Lock-Vault -Vault $copy
            }
        }
    }
}
