BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Remove-VaultKeyslot' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
    }

    AfterAll {
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context "the unlocked principal's own keyslots" {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'own.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            $certificate = New-TestCertificate -Subject 'laptop'
            $null = Add-VaultKeyslot -Vault $vault -Certificate $certificate
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'removes nothing with -WhatIf' {
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Keyslots | Remove-VaultKeyslot -Vault $vault -WhatIf | Should -BeNullOrEmpty
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials -join ',' | Should -Be 'Password,Certificate'
        }

        It 'removes the keyslot piped from Get-VaultPrincipal and writes nothing' {
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Keyslots | Where-Object Kind -eq Certificate |
                Remove-VaultKeyslot -Confirm:$false | Should -BeNullOrEmpty
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials -join ',' | Should -Be 'Password'
        }

        It 'stops the removed certificate from unlocking, while the password still unlocks' {
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Certificate $certificate } | Should -Throw -ErrorId 'AuthenticationFailed*'
            Unlock-Vault -Vault $vault -Password $password
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'owner'
        }

        It 'records the removal in the audit log' {
            $record = Get-VaultAuditLog -Vault $vault -Action 'keyslot-remove' -Outcome success -Last 1
            $record.Principal | Should -Be 'owner'
            $record.Detail | Should -Be "principal 'owner'"
        }

        It 'removes a keyslot given by -Id at position 0 and returns the principal with -PassThru' {
            $id = ((Add-VaultKeyslot -Vault $vault -Certificate $certificate).Keyslots | Where-Object Kind -eq Certificate).Id
            $principal = Remove-VaultKeyslot $id -Vault $vault -Confirm:$false -PassThru
            $principal.GetType().FullName | Should -Be 'SecureVault.Access.VaultPrincipalInfo'
            $principal.Credentials -join ',' | Should -Be 'Password'
            $principal.Keyslots.Id | Should -Not -Contain $id
        }

        It 'refuses the last keyslot with InvalidInput and keeps it' {
            $last = (Get-VaultPrincipal -Vault $vault -Name 'owner').Keyslots
            { $last | Remove-VaultKeyslot -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Keyslots.Id | Should -Be $last.Id
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Password $password
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'owner'
        }

        It 'refuses a keyslot the principal does not have with InvalidInput' {
            { Remove-VaultKeyslot -Vault $vault -Id ([guid]::NewGuid()) -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context "another principal's keyslots" {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'others.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            $userPassword = New-TestPassword -Text 'another long passphrase here'
            $null = New-VaultPrincipal -Vault $vault -Name 'carol' -Role User -Password $userPassword
            $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
            # Carol adds a certificate beside her password: only she can, since only she holds her private keys.
            $lostCertificate = New-TestCertificate -Subject 'carol laptop'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'carol' -Password $userPassword
            $null = Add-VaultKeyslot -Vault $vault -Certificate $lostCertificate
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'refuses a principal that is not an Admin with AccessDenied, and records the refusal' {
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $userPassword
            { (Get-VaultPrincipal -Vault $vault -Name 'carol').Keyslots | Where-Object Kind -eq Certificate |
                    Remove-VaultKeyslot -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultPrincipal -Vault $vault -Name 'carol').Credentials -join ',' | Should -Be 'Password,Certificate'
            # Reading the audit log needs an Admin.
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
            $record = Get-VaultAuditLog -Vault $vault -Action 'keyslot-remove' -Last 1
            $record.Principal | Should -Be 'bob'
            $record.Outcome | Should -Be 'denied'
            $record.Reason | Should -Be 'AccessDenied'
            Lock-Vault -Vault $vault
        }

        It 'lets an Admin remove a lost certificate piped from Get-VaultPrincipal' {
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
            (Get-VaultPrincipal -Vault $vault -Name 'carol').Keyslots | Where-Object Kind -eq Certificate |
                Remove-VaultKeyslot -Confirm:$false
            (Get-VaultPrincipal -Vault $vault -Name 'carol').Credentials -join ',' | Should -Be 'Password'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials -join ',' | Should -Be 'Password'
        }

        It 'leaves the principal unlocking with its other keyslots only' {
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Certificate $lostCertificate } | Should -Throw -ErrorId 'AuthenticationFailed*'
            Unlock-Vault -Vault $vault -Principal 'carol' -Password $userPassword
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'carol'
            Lock-Vault -Vault $vault
        }

        It 'fails with PrincipalNotFound for a principal that does not exist' {
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
            { Remove-VaultKeyslot -Vault $vault -Principal 'nobody' -Id ([guid]::NewGuid()) -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'PrincipalNotFound*'
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'locked.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            Lock-Vault -Vault $vault
        }

        It 'fails with VaultLocked' {
            { Remove-VaultKeyslot -Vault $vault -Id ([guid]::NewGuid()) -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
