BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Export-VaultAuditHead' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'head.vault'
        $null = New-TestVault -Path $vault -Password $password
        Set-VaultKey -Vault $vault -Name 'key' -Value 'value'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with a new file' {
        BeforeAll {
            $path = Join-Path -Path $TestDrive -ChildPath 'head.json'
            $output = Export-VaultAuditHead -Vault $vault -Path $path
        }

        It 'writes nothing without -PassThru' {
            $output | Should -BeNullOrEmpty
        }

        It 'writes an anchor of the newest export-head record' {
            $anchor = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
            $anchor.format | Should -Be 'SecureVault audit head v1'
            $anchor.seq | Should -Be (Get-VaultAuditLog -Vault $vault -Action 'export-head' -Last 1).Seq
        }

        It 'creates the file readable by its owner only' -Skip:$IsWindows {
            [System.IO.File]::GetUnixFileMode($path) | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
        }

        It 'writes an anchor that Test-VaultAuditChain accepts' {
            (Test-VaultAuditChain -Vault $vault -Anchor $path -Detailed).AnchorChecked | Should -BeTrue
        }
    }

    Context 'with -PassThru' {
        It 'returns the anchor it saved' {
            $path = Join-Path -Path $TestDrive -ChildPath 'pass-thru.json'
            $anchor = Export-VaultAuditHead -Vault $vault -Path $path -PassThru
            $anchor.GetType().FullName | Should -Be 'SecureVault.AuditAnchor'
            $anchor.Seq | Should -Be (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json).seq
            $anchor.HashHex | Should -Match '^[0-9a-f]{64}$'
        }
    }

    Context 'when the file exists' {
        BeforeAll {
            $path = Join-Path -Path $TestDrive -ChildPath 'existing.json'
            $first = Export-VaultAuditHead -Vault $vault -Path $path -PassThru
        }

        It 'fails with InvalidInput without -Force and leaves the file as it was' {
            { Export-VaultAuditHead -Vault $vault -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json).seq | Should -Be $first.Seq
        }

        It 'replaces the file with -Force' {
            $second = Export-VaultAuditHead -Vault $vault -Path $path -Force -PassThru
            $second.Seq | Should -BeGreaterThan $first.Seq
            (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json).seq | Should -Be $second.Seq
        }
    }

    Context 'with -WhatIf' {
        It 'writes no file and no record' {
            $path = Join-Path -Path $TestDrive -ChildPath 'what-if.json'
            $before = @(Get-VaultAuditLog -Vault $vault -Action 'export-head').Count
            Export-VaultAuditHead -Vault $vault -Path $path -WhatIf
            Test-Path -LiteralPath $path | Should -BeFalse
            @(Get-VaultAuditLog -Vault $vault -Action 'export-head').Count | Should -Be $before
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Password $password
        }

        It 'fails with VaultLocked and writes no file' {
            $path = Join-Path -Path $TestDrive -ChildPath 'locked.json'
            { Export-VaultAuditHead -Vault $vault -Path $path } | Should -Throw -ErrorId 'VaultLocked*'
            Test-Path -LiteralPath $path | Should -BeFalse
        }
    }
}
