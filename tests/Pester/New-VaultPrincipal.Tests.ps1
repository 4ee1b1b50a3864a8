BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'New-VaultPrincipal' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $bobPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'new-principal.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        # A throwaway self-signed certificate with its private key (the keyslot is signed with it).
        $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=nightly-job', $key, [System.Security.Cryptography.HashAlgorithmName]::SHA256)
        $certificate = $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddDays(30))
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Password' {
        It 'returns the new principal with its role and a password credential' {
            $principal = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $bobPassword
            $principal.GetType().FullName | Should -Be 'SecureVault.Access.VaultPrincipalInfo'
            $principal.Name | Should -Be 'bob'
            $principal.Role.ToString() | Should -Be 'User'
            $principal.Disabled | Should -BeFalse
            $principal.Credentials -join ',' | Should -Be 'Password'
            $principal.Vault | Should -Be $vault
        }

        It 'lets the new principal unlock with its own password' {
            Lock-Vault -Vault $vault
            $status = Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword -PassThru
            $status.Principal | Should -Be 'bob'
            $status.Role | Should -Be 'User'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'records the addition in the audit log' {
            $record = Get-VaultAuditLog -Vault $vault -Action 'principal-add' -Last 1
            $record.Outcome | Should -Be 'success'
            $record.Principal | Should -Be 'owner'
        }

        It 'takes the name and password from a piped credential' {
            $credential = [pscredential]::new('carol', (New-TestPassword -Text 'carol has a long passphrase too'))
            $principal = $credential | New-VaultPrincipal -Vault $vault -Role Viewer
            $principal.Name | Should -Be 'carol'
            $principal.Role.ToString() | Should -Be 'Viewer'
        }
    }

    Context 'with -Certificate' {
        It 'adds a principal that unlocks with the certificate' {
            $principal = New-VaultPrincipal -Vault $vault -Name 'nightly-job' -Role Viewer -Certificate $certificate
            $principal.Credentials -join ',' | Should -Be 'Certificate'
        }
    }

    Context 'with -WhatIf' {
        It 'adds nothing' {
            New-VaultPrincipal -Vault $vault -Name 'ghost' -Role Admin -Password $bobPassword -WhatIf
            { Get-VaultPrincipal -Vault $vault -Name 'ghost' -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
        }
    }

    Context 'with invalid input' {
        It 'refuses a name that is taken, without regard to case' {
            { New-VaultPrincipal -Vault $vault -Name 'BOB' -Role User -Password $bobPassword -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalExists*'
        }

        It 'refuses a short password with InvalidInput and does not echo it' {
            $short = New-TestPassword -Text 'short-secret'
            New-VaultPrincipal -Vault $vault -Name 'dave' -Role User -Password $short -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidInput,*'
            Get-ErrorText -ErrorRecord $failures[0] | Should -Not -BeLike '*short-secret*'
        }

        It 'refuses an unknown role' {
            { New-VaultPrincipal -Vault $vault -Name 'dave' -Role Owner -Password $bobPassword } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'refuses both -Password and -Certificate' {
            { New-VaultPrincipal -Vault $vault -Name 'dave' -Role User -Password $bobPassword -Certificate $certificate } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }
    }

    Context 'as a principal that is not an Admin' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied' {
            { New-VaultPrincipal -Vault $vault -Name 'mallory' -Role Admin -Password $bobPassword -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with VaultLocked' {
            { New-VaultPrincipal -Vault $vault -Name 'erin' -Role User -Password $bobPassword } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
