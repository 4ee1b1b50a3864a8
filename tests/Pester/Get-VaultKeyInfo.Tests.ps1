BeforeDiscovery {
    # Wildcard patterns over the keys app/alpha, app/beta and other/gamma, and what each matches.
    $patterns = @(
        @{ Pattern = 'app/*'; Expected = 'app/alpha,app/beta' }
        @{ Pattern = '*a'; Expected = 'app/alpha,app/beta,other/gamma' }
        @{ Pattern = 'app/?eta'; Expected = 'app/beta' }
        @{ Pattern = '[ot]*/g*'; Expected = 'other/gamma' }
        @{ Pattern = 'APP/*'; Expected = 'app/alpha,app/beta' }
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultKeyInfo' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'info.vault'
        $null = New-TestVault -Path $vault -Password $password
        $secretText = 'value that must never be listed'
        Set-VaultKey -Vault $vault -Name 'other/gamma' -Value $secretText -Description 'Written first'
        Set-VaultKey -Vault $vault -Name 'app/beta' -Value ([byte[]](1, 2, 3)) -Tag 'ci' -Service 'db.example.com'
        Set-VaultKey -Vault $vault -Name 'app/alpha' -Value 'alpha one' -Tag 'ci', 'prod' -Service 'api.example.com'
        Set-VaultKey -Vault $vault -Name 'app/alpha' -Value 'alpha two'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without filters' {
        BeforeAll {
            $all = Get-VaultKeyInfo -Vault $vault
        }

        It 'returns every key, sorted by name' {
            $all.Name -join ',' | Should -Be 'app/alpha,app/beta,other/gamma'
        }

        It 'returns VaultKeyInfo objects' {
            foreach ($info in $all) {
                $info.GetType().FullName | Should -Be 'SecureVault.VaultKeyInfo'
            }
        }

        It 'reports type, versions, tags, service and the vault of each key' {
            $alpha = $all | Where-Object Name -EQ 'app/alpha'
            $alpha.Type.ToString() | Should -Be 'String'
            $alpha.Version | Should -Be 2
            $alpha.Versions -join ',' | Should -Be '1,2'
            $alpha.Tags -join ',' | Should -Be 'ci,prod'
            $alpha.Service | Should -Be 'api.example.com'
            $alpha.Vault | Should -Be $vault
            $alpha.Updated | Should -BeGreaterOrEqual $alpha.Created
            ($all | Where-Object Name -EQ 'app/beta').Type.ToString() | Should -Be 'ByteArray'
            ($all | Where-Object Name -EQ 'other/gamma').Description | Should -Be 'Written first'
        }

        It 'never carries a value' {
            $gamma = $all | Where-Object Name -EQ 'other/gamma'
            foreach ($property in $gamma.PSObject.Properties) {
                [string] $property.Value | Should -Not -BeLike "*$secretText*"
            }
        }
    }

    Context 'with -Name' {
        It 'matches the pattern <Pattern>' -ForEach $patterns {
            (Get-VaultKeyInfo -Vault $vault -Name $Pattern).Name -join ',' | Should -Be $Expected
        }

        It 'finds one key by its exact name without regard to case' {
            $info = Get-VaultKeyInfo -Vault $vault -Name 'APP/ALPHA'
            @($info).Count | Should -Be 1
            $info.Name | Should -BeExactly 'app/alpha'
        }

        It 'takes the name as the first positional parameter' {
            (Get-VaultKeyInfo 'app/beta' -Vault $vault).Name | Should -Be 'app/beta'
        }

        It 'returns nothing, without an error, for a pattern that matches no key' {
            { Get-VaultKeyInfo -Vault $vault -Name 'zzz*' -ErrorAction Stop } | Should -Not -Throw
            Get-VaultKeyInfo -Vault $vault -Name 'zzz*' | Should -BeNullOrEmpty
        }

        It 'fails with KeyNotFound for an exact name that does not exist' {
            { Get-VaultKeyInfo -Vault $vault -Name 'app/missing' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'with -Tag and -Service' {
        It 'keeps the keys that carry a tag' {
            (Get-VaultKeyInfo -Vault $vault -Tag 'ci').Name -join ',' | Should -Be 'app/alpha,app/beta'
        }

        It 'keeps only the keys that carry every tag given' {
            (Get-VaultKeyInfo -Vault $vault -Tag 'ci', 'prod').Name -join ',' | Should -Be 'app/alpha'
        }

        It 'compares tags without regard to case' {
            (Get-VaultKeyInfo -Vault $vault -Tag 'PROD').Name -join ',' | Should -Be 'app/alpha'
        }

        It 'keeps the keys whose service matches a pattern' {
            (Get-VaultKeyInfo -Vault $vault -Service 'db.*').Name -join ',' | Should -Be 'app/beta'
            (Get-VaultKeyInfo -Vault $vault -Service '*.example.com').Name -join ',' | Should -Be 'app/alpha,app/beta'
        }

        It 'combines name, tag and service filters' {
            (Get-VaultKeyInfo -Vault $vault -Name 'app/*' -Tag 'ci' -Service 'api.*').Name -join ',' | Should -Be 'app/alpha'
        }

        It 'returns nothing, without an error, when an exact name does not carry the tag' {
            { Get-VaultKeyInfo -Vault $vault -Name 'app/beta' -Tag 'prod' -ErrorAction Stop } | Should -Not -Throw
            Get-VaultKeyInfo -Vault $vault -Name 'app/beta' -Tag 'prod' | Should -BeNullOrEmpty
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        It 'fails with VaultLocked' {
            { Get-VaultKeyInfo -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
