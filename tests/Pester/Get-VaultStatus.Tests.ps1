BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultStatus' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'status.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'alice'
        Set-VaultKey -Vault $vault -Name 'one' -Value 'first value'
        Set-VaultKey -Vault $vault -Name 'two' -Value 'second value'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'when the vault is unlocked' {
        BeforeAll {
            Unlock-Vault -Vault $vault -Password $password -Timeout (New-TimeSpan -Minutes 10)
            $status = Get-VaultStatus -Vault $vault
        }

        It 'returns one VaultStatus object' {
            @($status).Count | Should -Be 1
            $status.GetType().FullName | Should -Be 'SecureVault.VaultStatus'
        }

        It 'reports the full path and the embedded store' {
            $status.Vault | Should -Be $vault
            $status.Store | Should -Be 'SQLite'
        }

        It 'reports the vault unlocked by its principal with the Admin role' {
            $status.IsLocked | Should -BeFalse
            $status.Principal | Should -Be 'alice'
            $status.Role | Should -Be 'Admin'
        }

        It 'reports the idle timeout and a time left within it' {
            $status.IdleTimeout | Should -Be ([timespan]::FromMinutes(10))
            $status.TimeLeft | Should -BeGreaterThan ([timespan]::Zero)
            $status.TimeLeft | Should -BeLessOrEqual $status.IdleTimeout
        }

        It 'reports the format version, the KDF and the number of keys' {
            $status.FormatVersion | Should -Be 1
            $status.Kdf | Should -Be 'Argon2id m=1 MiB, t=1, p=1'
            $status.KeyCount | Should -Be 2
        }

        It 'reports whether memory locking worked, with a reason' {
            $status.MemoryLocked | Should -BeOfType ([bool])
            $status.MemoryLockDetail | Should -Not -BeNullOrEmpty
        }

        It 'reports the audit log and the alert forwarding' {
            $status.AuditRecords | Should -BeGreaterThan 0
            $status.AuditHead | Should -Be (Get-VaultAuditLog -Vault $vault -Last 1).Seq
            $status.AlertForwarding.ToString() | Should -Be 'None'
            $status.AlertForwardingProblem | Should -BeNullOrEmpty
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
            $status = Get-VaultStatus -Vault $vault
        }

        It 'reports the vault locked, with no principal and no time left' {
            $status.IsLocked | Should -BeTrue
            $status.Principal | Should -BeNullOrEmpty
            $status.Role | Should -BeNullOrEmpty
            $status.TimeLeft | Should -BeNullOrEmpty
        }

        It 'still reports the KDF and the number of keys' {
            $status.Kdf | Should -Be 'Argon2id m=1 MiB, t=1, p=1'
            $status.KeyCount | Should -Be 2
        }
    }

    Context 'when the vault is given by name or not at all' {
        BeforeAll {
            $default = Join-Path -Path $TestDrive -ChildPath 'default.vault'
            $null = New-TestVault -Path $default -Password $password
        }

        It 'reads the vault named default in SECUREVAULT_HOME without -Vault' {
            (Get-VaultStatus).Vault | Should -Be $default
        }

        It 'reads the vault named by SECUREVAULT_VAULT without -Vault' {
            $env:SECUREVAULT_VAULT = $vault
            try {
                $status = Get-VaultStatus
            }
            finally {
                $env:SECUREVAULT_VAULT = $null
            }
            $status.Vault | Should -Be $vault
        }

        It 'reads a vault by name' {
            (Get-VaultStatus -Vault 'status').Vault | Should -Be $vault
        }
    }

    Context 'when the vault cannot be found' {
        It 'fails with VaultNotFound for a path with no vault' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'missing.vault'
            { Get-VaultStatus -Vault $missing } | Should -Throw -ErrorId 'VaultNotFound*'
        }

        It 'fails with InvalidInput for an invalid vault name' {
            { Get-VaultStatus -Vault 'not a valid name!' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }
}
