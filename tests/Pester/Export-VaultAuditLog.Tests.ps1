BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Export-VaultAuditLog' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'export.vault'
        $secretText = 'value that must never be exported'
        $null = New-TestVault -Path $vault -Password $password -Principal 'alice'
        Set-VaultKey -Vault $vault -Name 'api/token' -Value $secretText
        $null = Get-VaultKey -Vault $vault -Name 'api/token'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with a new file' {
        BeforeAll {
            $path = Join-Path -Path $TestDrive -ChildPath 'audit.jsonl'
            $expected = Get-VaultAuditLog -Vault $vault
            $output = Export-VaultAuditLog -Vault $vault -Path $path
            $lines = Get-Content -LiteralPath $path
        }

        It 'writes nothing without -PassThru' {
            $output | Should -BeNullOrEmpty
        }

        It 'writes one JSON object per line, the previous read included' {
            $objects = $lines | ForEach-Object { $_ | ConvertFrom-Json }
            @($objects).Count | Should -Be ($expected.Count + 1)
            $objects.seq -join ',' | Should -Be ((1..($expected.Count + 1)) -join ',')
            $objects[0].action | Should -Be 'create'
            $objects[0].principal | Should -Be 'alice'
            $objects[-1].action | Should -Be 'read-audit'
        }

        It 'resolves key names and never writes a value' {
            ($lines | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object action -EQ 'get').name | Should -Be 'api/token'
            $lines -join "`n" | Should -Not -BeLike "*$secretText*"
        }

        It 'creates the file readable by its owner only' -Skip:$IsWindows {
            [System.IO.File]::GetUnixFileMode($path) | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
        }
    }

    Context 'with filters and -PassThru' {
        It 'writes only the matching records and returns the file' {
            $path = Join-Path -Path $TestDrive -ChildPath 'gets.jsonl'
            $file = Export-VaultAuditLog -Vault $vault -Path $path -Action 'get' -Name 'api/*' -Format JsonLines -PassThru
            $file | Should -BeOfType ([System.IO.FileInfo])
            $file.FullName | Should -Be $path
            $objects = Get-Content -LiteralPath $path | ForEach-Object { $_ | ConvertFrom-Json }
            @($objects).Count | Should -Be 1
            $objects.action | Should -Be 'get'
            $objects.name | Should -Be 'api/token'
        }
    }

    Context 'when the file exists' {
        BeforeAll {
            $path = Join-Path -Path $TestDrive -ChildPath 'existing.jsonl'
            Set-Content -LiteralPath $path -Value 'old content'
        }

        It 'fails with InvalidInput without -Force and leaves the file as it was' {
            { Export-VaultAuditLog -Vault $vault -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            Get-Content -LiteralPath $path | Should -Be 'old content'
        }

        It 'replaces the file with -Force, readable by its owner only' {
            if (-not $IsWindows) {
                [System.IO.File]::SetUnixFileMode($path, [System.IO.UnixFileMode] 'UserRead, UserWrite, GroupRead, OtherRead')
            }
            Export-VaultAuditLog -Vault $vault -Path $path -Action 'create' -Force
            (Get-Content -LiteralPath $path | ConvertFrom-Json).action | Should -Be 'create'
            if (-not $IsWindows) {
                [System.IO.File]::GetUnixFileMode($path) | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
            }
        }
    }

    Context 'with -WhatIf' {
        It 'writes no file' {
            $path = Join-Path -Path $TestDrive -ChildPath 'what-if.jsonl'
            Export-VaultAuditLog -Vault $vault -Path $path -WhatIf
            Test-Path -LiteralPath $path | Should -BeFalse
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Password $password
        }

        It 'fails with VaultLocked and leaves no file behind' {
            $path = Join-Path -Path $TestDrive -ChildPath 'locked.jsonl'
            { Export-VaultAuditLog -Vault $vault -Path $path } | Should -Throw -ErrorId 'VaultLocked*'
            Test-Path -LiteralPath $path | Should -BeFalse
        }
    }
}
