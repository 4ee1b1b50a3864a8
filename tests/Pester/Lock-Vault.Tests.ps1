BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Lock-Vault' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $first = Join-Path -Path $TestDrive -ChildPath 'first.vault'
        $second = Join-Path -Path $TestDrive -ChildPath 'second.vault'
        $null = New-TestVault -Path $first -Password $password
        $null = New-TestVault -Path $second -Password $password
        Set-VaultKey -Vault $first -Name 'key' -Value 'value'
    }

    AfterAll {
        Lock-Vault -Vault $first
        Lock-Vault -Vault $second
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Vault' {
        BeforeEach {
            Unlock-Vault -Vault $first -Password $password
            Unlock-Vault -Vault $second -Password $password
        }

        It 'locks that vault' {
            Lock-Vault -Vault $first
            (Get-VaultStatus -Vault $first).IsLocked | Should -BeTrue
        }

        It 'leaves other vaults unlocked' {
            Lock-Vault -Vault $first
            (Get-VaultStatus -Vault $second).IsLocked | Should -BeFalse
        }

        It 'makes later reads fail with VaultLocked' {
            Lock-Vault -Vault $first
            { Get-VaultKey -Vault $first -Name 'key' } | Should -Throw -ErrorId 'VaultLocked*'
        }

        It 'writes nothing to the pipeline' {
            $output = Lock-Vault -Vault $first
            $output | Should -BeNullOrEmpty
        }

        It 'does nothing, without an error, for a vault that is already locked' {
            Lock-Vault -Vault $first
            { Lock-Vault -Vault $first -ErrorAction Stop } | Should -Not -Throw
            (Get-VaultStatus -Vault $first).IsLocked | Should -BeTrue
        }

        It 'does nothing, and creates no file, for a vault that does not exist' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'missing.vault'
            { Lock-Vault -Vault $missing -ErrorAction Stop } | Should -Not -Throw
            Test-Path -LiteralPath $missing | Should -BeFalse
        }
    }

    Context 'with -All' {
        BeforeAll {
            Unlock-Vault -Vault $first -Password $password
            Unlock-Vault -Vault $second -Password $password
            Lock-Vault -All
        }

        It 'locks every vault unlocked in this process' {
            (Get-VaultStatus -Vault $first).IsLocked | Should -BeTrue
            (Get-VaultStatus -Vault $second).IsLocked | Should -BeTrue
        }

        It 'succeeds when no vault is unlocked' {
            { Lock-Vault -All -ErrorAction Stop } | Should -Not -Throw
        }
    }

    Context 'with pipeline input' {
        It 'locks the vault named by the Vault property of a piped status object' {
            Unlock-Vault -Vault $first -Password $password
            Get-VaultStatus -Vault $first | Lock-Vault
            (Get-VaultStatus -Vault $first).IsLocked | Should -BeTrue
        }
    }

    Context 'with the default vault' {
        It 'locks the vault named default when -Vault is not given' {
            $default = Join-Path -Path $TestDrive -ChildPath 'default.vault'
            $null = New-TestVault -Path $default -Password $password
            Lock-Vault
            (Get-VaultStatus -Vault $default).IsLocked | Should -BeTrue
        }
    }
}
