BeforeDiscovery {
    # Each KDF parameter just outside the range the cmdlet accepts.
    $kdfOutOfRange = @(
        @{ Parameter = 'KdfMemoryMiB'; Value = 0 }
        @{ Parameter = 'KdfMemoryMiB'; Value = 4097 }
        @{ Parameter = 'KdfIterations'; Value = 0 }
        @{ Parameter = 'KdfIterations'; Value = 65 }
        @{ Parameter = 'KdfParallelism'; Value = 0 }
        @{ Parameter = 'KdfParallelism'; Value = 65 }
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'New-Vault' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
    }

    AfterAll {
        Lock-Vault -All
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'when the location is free' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'created.vault'
            $status = New-TestVault -Path $vault -Password $password -Principal 'alice'
        }

        It 'creates the vault file' {
            Test-Path -LiteralPath $vault -PathType Leaf | Should -BeTrue
        }

        It 'returns one VaultStatus object' {
            @($status).Count | Should -Be 1
            $status.GetType().FullName | Should -Be 'SecureVault.VaultStatus'
        }

        It 'leaves the new vault unlocked for its owner, an Admin' {
            $status.IsLocked | Should -BeFalse
            $status.Principal | Should -Be 'alice'
            $status.Role | Should -Be 'Admin'
        }

        It 'stores the KDF parameters it was given' {
            $status.Kdf | Should -Be 'Argon2id m=1 MiB, t=1, p=1'
        }

        It 'starts empty in format version 1' {
            $status.KeyCount | Should -Be 0
            $status.FormatVersion | Should -Be 1
        }

        It 'reports the full path of the vault' {
            $status.Vault | Should -Be $vault
        }

        It 'opens a session with the default idle timeout of 15 minutes' {
            $status.IdleTimeout | Should -Be ([timespan]::FromMinutes(15))
        }
    }

    Context 'when a vault already exists there' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'existing.vault'
            $null = New-TestVault -Path $vault -Password $password
            Set-VaultKey -Vault $vault -Name 'kept' -Value 'still here'
        }

        It 'writes a VaultExists error' {
            $otherPassword = New-TestPassword -Text 'another long password'
            { New-Vault -Vault $vault -Password $otherPassword -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'VaultExists*'
        }

        It 'leaves the existing vault and its keys as they were' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Password $password
            Get-VaultKey -Vault $vault -Name 'kept' -AsPlainText | Should -BeExactly 'still here'
        }
    }

    Context 'when the input is invalid' {
        It 'refuses a password shorter than 15 characters and creates no file' {
            $vault = Join-Path -Path $TestDrive -ChildPath 'short-password.vault'
            $shortPassword = New-TestPassword -Text 'seven77'
            { New-Vault -Vault $vault -Password $shortPassword -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
            Test-Path -LiteralPath $vault | Should -BeFalse
        }

        It 'refuses an invalid vault name' {
            { New-Vault -Vault 'not a valid name!' -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses an invalid principal name and creates no file' {
            $vault = Join-Path -Path $TestDrive -ChildPath 'bad-principal.vault'
            { New-Vault -Vault $vault -Password $password -Principal 'no spaces allowed' -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
            Test-Path -LiteralPath $vault | Should -BeFalse
        }

        It 'refuses an idle timeout of zero and creates no file' {
            $vault = Join-Path -Path $TestDrive -ChildPath 'zero-timeout.vault'
            { New-Vault -Vault $vault -Password $password -Timeout ([timespan]::Zero) -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
            Test-Path -LiteralPath $vault | Should -BeFalse
        }

        It 'refuses -<Parameter> <Value> before doing anything' -ForEach $kdfOutOfRange {
            $vault = Join-Path -Path $TestDrive -ChildPath 'kdf-range.vault'
            $arguments = @{ Vault = $vault; Password = $password; $Parameter = $Value }
            { New-Vault @arguments } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Test-Path -LiteralPath $vault | Should -BeFalse
        }
    }

    Context 'with -WhatIf' {
        It 'creates nothing' {
            $vault = Join-Path -Path $TestDrive -ChildPath 'what-if.vault'
            $output = New-Vault -Vault $vault -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -WhatIf
            $output | Should -BeNullOrEmpty
            Test-Path -LiteralPath $vault | Should -BeFalse
        }
    }

    Context 'when the vault is given by name or not at all' {
        It 'creates the file NAME.vault in SECUREVAULT_HOME for a vault name' {
            $status = New-Vault -Vault 'named' -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
            $expected = Join-Path -Path $TestDrive -ChildPath 'named.vault'
            $status.Vault | Should -Be $expected
            Test-Path -LiteralPath $expected | Should -BeTrue
        }

        It 'creates the vault named by SECUREVAULT_VAULT when -Vault is not given' {
            $env:SECUREVAULT_VAULT = 'from-environment'
            try {
                $status = New-Vault -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
            }
            finally {
                $env:SECUREVAULT_VAULT = $null
            }
            $status.Vault | Should -Be (Join-Path -Path $TestDrive -ChildPath 'from-environment.vault')
        }

        It 'creates the vault named default when neither -Vault nor SECUREVAULT_VAULT is set' {
            $status = New-Vault -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
            $status.Vault | Should -Be (Join-Path -Path $TestDrive -ChildPath 'default.vault')
        }
    }

    Context 'when the path is a folder' {
        BeforeAll {
            $folder = Join-Path -Path $TestDrive -ChildPath 'a-folder'
            $null = New-Item -ItemType Directory -Path $folder
        }

        It 'fails with InvalidInput saying the path is a folder, for New-Vault, Unlock-Vault and Get-VaultKey' {
            $commands = @(
                { New-Vault -Vault $folder -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -ErrorAction Stop }
                { Unlock-Vault -Vault $folder -Password $password -ErrorAction Stop }
                { Get-VaultKey -Vault $folder -Name 'alpha' -ErrorAction Stop }
            )
            foreach ($command in $commands) {
                $failure = { & $command } | Should -Throw -ErrorId 'InvalidInput*' -PassThru
                $failure.Exception.Message | Should -BeLike '*is a folder*'
            }
            Get-ChildItem -LiteralPath $folder | Should -BeNullOrEmpty
        }
    }
}
