BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultAuditLog' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $wrongPassword = New-TestPassword -Text 'not the right password'
        $vault = Join-Path -Path $TestDrive -ChildPath 'log.vault'
        $secretText = 'value that must never be logged'
        $null = New-TestVault -Path $vault -Password $password -Principal 'alice'
        Set-VaultKey -Vault $vault -Name 'app/alpha' -Value $secretText
        Set-VaultKey -Vault $vault -Name 'app/beta' -Value 'beta'
        Set-VaultKey -Vault $vault -Name 'other/gamma' -Value 'gamma'
        $null = Get-VaultKey -Vault $vault -Name 'app/alpha'
        $null = Get-VaultKey -Vault $vault -Name 'other/gamma'
        $null = Get-VaultKey -Vault $vault -Name 'app/missing' -ErrorAction SilentlyContinue
        Lock-Vault -Vault $vault
        try {
            Unlock-Vault -Vault $vault -Password $wrongPassword
        }
        catch {
            # The failed unlock is what this setup wants in the log.
        }
        Unlock-Vault -Vault $vault -Password $password
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without filters' {
        BeforeAll {
            $all = Get-VaultAuditLog -Vault $vault
        }

        It 'returns VaultAuditRecord objects' {
            foreach ($record in $all) {
                $record.GetType().FullName | Should -Be 'SecureVault.VaultAuditRecord'
            }
        }

        It 'returns every record, oldest first, numbered from 1 without gaps' {
            $all.Seq -join ',' | Should -Be ((1..$all.Count) -join ',')
        }

        It 'starts with the creation of the vault by its owner' {
            $all[0].Action | Should -Be 'create'
            $all[0].Principal | Should -Be 'alice'
            $all[0].Outcome | Should -Be 'success'
            $all[0].IsSigned | Should -BeTrue
        }

        It 'never carries a value' {
            foreach ($record in $all) {
                foreach ($property in $record.PSObject.Properties) {
                    [string] $property.Value | Should -Not -BeLike "*$secretText*"
                }
            }
        }
    }

    Context 'with filters' {
        It 'keeps the records of one action, with key names resolved' {
            (Get-VaultAuditLog -Vault $vault -Action 'get' -Outcome 'success').Name -join ',' | Should -Be 'app/alpha,other/gamma'
        }

        It 'matches actions with wildcards' {
            (Get-VaultAuditLog -Vault $vault -Action 'cr*').Action | Should -Be 'create'
        }

        It 'keeps the records of keys that match a name pattern, without regard to case' {
            $records = Get-VaultAuditLog -Vault $vault -Name 'APP/*'
            ($records.Name | Sort-Object -Unique) -join ',' | Should -Be 'app/alpha,app/beta'
            ($records | Where-Object Name -EQ 'app/alpha').Action -join ',' | Should -Be 'set,get'
        }

        It 'keeps the failed read of a missing key with -Outcome error' {
            $record = Get-VaultAuditLog -Vault $vault -Outcome 'error'
            @($record).Count | Should -Be 1
            $record.Action | Should -Be 'get'
            $record.Reason | Should -Be 'KeyNotFound'
        }

        It 'keeps the failed unlock with -Outcome denied, unsigned' {
            $record = Get-VaultAuditLog -Vault $vault -Outcome 'denied'
            @($record).Count | Should -Be 1
            $record.Action | Should -Be 'unlock'
            $record.Reason | Should -Be 'AuthenticationFailed'
            $record.IsSigned | Should -BeFalse
        }

        It 'keeps the records of principals that match a pattern' {
            $records = Get-VaultAuditLog -Vault $vault -Principal 'ALI*'
            $records | Should -Not -BeNullOrEmpty
            $records.Principal | Sort-Object -Unique | Should -Be 'alice'
            Get-VaultAuditLog -Vault $vault -Principal 'nobody' | Should -BeNullOrEmpty
        }

        It 'keeps the newest records with -Last, oldest first' {
            $before = Get-VaultAuditLog -Vault $vault
            $last = Get-VaultAuditLog -Vault $vault -Last 3
            @($last).Count | Should -Be 3
            # The newest three: the last two of the previous read, and the record of that read itself.
            $last.Seq -join ',' | Should -Be (($before[-2].Seq, $before[-1].Seq, ($before[-1].Seq + 1)) -join ',')
            $last[-1].Action | Should -Be 'read-audit'
        }

        It 'keeps records by time with -Since and -Until' {
            Get-VaultAuditLog -Vault $vault -Since (Get-Date).AddMinutes(5) | Should -BeNullOrEmpty
            Get-VaultAuditLog -Vault $vault -Until (Get-Date).AddDays(-1) | Should -BeNullOrEmpty
            Get-VaultAuditLog -Vault $vault -Since (Get-Date).AddHours(-1) -Action 'create' | Should -Not -BeNullOrEmpty
        }

        It 'refuses an unknown outcome' {
            { Get-VaultAuditLog -Vault $vault -Outcome 'maybe' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'refuses -Last 0' {
            { Get-VaultAuditLog -Vault $vault -Last 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Password $password
        }

        It 'fails with VaultLocked' {
            { Get-VaultAuditLog -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
