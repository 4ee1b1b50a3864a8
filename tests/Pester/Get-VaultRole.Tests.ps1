BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultRole' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
    }

    AfterAll {
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without parameters' {
        BeforeAll {
            $rows = Get-VaultRole
        }

        It 'needs no vault: none exists in this data folder' {
            Get-ChildItem -Path $TestDrive -Filter '*.vault' | Should -BeNullOrEmpty
            @($rows).Count | Should -BeGreaterOrEqual 20
        }

        It 'returns VaultRolePermission rows with a description' {
            $rows | ForEach-Object { $_.GetType().FullName } | Sort-Object -Unique | Should -Be 'SecureVault.Access.VaultRolePermission'
            $rows | Where-Object { -not $_.Description } | Should -BeNullOrEmpty
        }

        It 'gives an Admin every permission everywhere' {
            $rows | Where-Object { $_.Admin.ToString() -ne 'All' } | Should -BeNullOrEmpty
        }

        It 'scopes read to own and granted keys for a User and granted keys for a Viewer' {
            $read = $rows | Where-Object Permission -eq 'read'
            $read.User.ToString() | Should -Be 'OwnAndGranted'
            $read.Viewer.ToString() | Should -Be 'Granted'
        }
    }

    Context 'with -Role' {
        It 'shows only what a Viewer holds' {
            $viewer = (Get-VaultRole -Role Viewer).Permission
            $viewer | Should -Contain 'read'
            $viewer | Should -Contain 'list'
            $viewer | Should -Not -Contain 'create'
            $viewer | Should -Not -Contain 'write'
        }

        It 'refuses an unknown role' {
            { Get-VaultRole -Role Owner } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'with -Permission' {
        It 'matches a wildcard pattern without regard to case' {
            (Get-VaultRole -Permission 'LIST*').Permission -join ',' | Should -Be 'list,list-access,list-principals'
        }

        It 'fails with InvalidInput for a name that is no permission' {
            { Get-VaultRole -Permission 'fly' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }
}
