BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Add-VaultKeyslot' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $wrongPasswordText = 'a wrong passphrase for the test'
        $wrongPassword = New-TestPassword -Text $wrongPasswordText
    }

    AfterAll {
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with a certificate beside the password' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'beside.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            $certificate = New-TestCertificate -Subject 'laptop'
            $principal = Add-VaultKeyslot -Vault $vault -Certificate $certificate
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'returns the principal with a certificate keyslot beside its password keyslot' {
            $principal.GetType().FullName | Should -Be 'SecureVault.Access.VaultPrincipalInfo'
            $principal.Name | Should -Be 'owner'
            $principal.Credentials -join ',' | Should -Be 'Password,Certificate'
            $principal.Keyslots.Kind -join ',' | Should -Be 'Password,Certificate'
            $principal.Keyslots[0].GetType().FullName | Should -Be 'SecureVault.Access.VaultKeyslotInfo'
            $principal.Keyslots.Principal | Should -Be @('owner', 'owner')
        }

        It 'lets the certificate alone unlock, without a password' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Certificate $certificate
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'owner'
        }

        It 'still lets the password alone unlock' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Password $password
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'owner'
        }

        It 'refuses the same certificate again with InvalidInput' {
            { Add-VaultKeyslot -Vault $vault -Certificate $certificate -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials.Count | Should -Be 2
        }

        It 'refuses -Password without -RequireBoth with InvalidInput' {
            $other = New-TestCertificate -Subject 'other laptop'
            { Add-VaultKeyslot -Vault $vault -Certificate $other -Password $password -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials.Count | Should -Be 2
        }

        It 'refuses a certificate without its private key with InvalidInput' {
            $publicOnly = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new((New-TestCertificate -Subject 'public only').RawData)
            $publicOnly.HasPrivateKey | Should -BeFalse
            { Add-VaultKeyslot -Vault $vault -Certificate $publicOnly -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'records the addition in the audit log' {
            $record = Get-VaultAuditLog -Vault $vault -Action 'keyslot-add' -Outcome success -Last 1
            $record.Principal | Should -Be 'owner'
            $record.Detail | Should -Be 'Certificate'
        }
    }

    Context 'with a PFX file or a piped certificate' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'input.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            $fromFile = New-TestCertificate -Subject 'from a file'
            $pfx = Join-Path -Path $TestDrive -ChildPath 'laptop.pfx'
            $pfxPassword = New-TestPassword -Text 'pfx password'
            [System.IO.File]::WriteAllBytes($pfx, $fromFile.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Pfx, 'pfx password'))
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'fails with InvalidInput for a wrong PFX password' {
            $wrongPfxPassword = New-TestPassword -Text 'not the pfx password'
            { Add-VaultKeyslot -Vault $vault -CertificatePath $pfx -CertificatePassword $wrongPfxPassword -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'adds the certificate in a PFX file, which then unlocks' {
            (Add-VaultKeyslot -Vault $vault -CertificatePath $pfx -CertificatePassword $pfxPassword).Credentials -join ',' |
                Should -Be 'Password,Certificate'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -CertificatePath $pfx -CertificatePassword $pfxPassword
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'owner'
        }

        It 'takes the certificate from the pipeline' {
            $piped = New-TestCertificate -Subject 'piped'
            ($piped | Add-VaultKeyslot -Vault $vault).Credentials -join ',' | Should -Be 'Password,Certificate,Certificate'
        }
    }

    Context 'with -RequireBoth' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'both.vault'
            $backup = Join-Path -Path $TestDrive -ChildPath 'both-backup.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            Set-VaultKey -Vault $vault -Name 'db/main' -Value 'kept in the backup'
            $certificate = New-TestCertificate -Subject 'laptop'
            # A backup taken before the change, as a user would keep one.
            Lock-Vault -Vault $vault
            Copy-TestVaultFile -Path $vault -Destination $backup
            Unlock-Vault -Vault $vault -Password $password
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Lock-Vault -Vault $backup
        }

        It 'refuses it without -Password with InvalidInput' {
            { Add-VaultKeyslot -Vault $vault -Certificate $certificate -RequireBoth -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials -join ',' | Should -Be 'Password'
        }

        It 'refuses a wrong current password with AuthenticationFailed, never echoing it, and changes nothing' {
            $refusal = { Add-VaultKeyslot -Vault $vault -Certificate $certificate -RequireBoth -Password $wrongPassword } |
                Should -Throw -ErrorId 'AuthenticationFailed*' -PassThru
            Get-ErrorText -ErrorRecord $refusal | Should -Not -BeLike "*$wrongPasswordText*"
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials -join ',' | Should -Be 'Password'
            (Get-VaultAuditLog -Vault $vault -Action 'keyslot-add' -Last 1).Outcome | Should -Be 'denied'
        }

        It 'changes nothing with -WhatIf' {
            Add-VaultKeyslot -Vault $vault -Certificate $certificate -RequireBoth -Password $password -WhatIf | Should -BeNullOrEmpty
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Credentials -join ',' | Should -Be 'Password'
        }

        It 'replaces the password-only keyslot with one that needs the password and the certificate together' {
            $passwordOnly = (Get-VaultPrincipal -Vault $vault -Name 'owner').Keyslots.Id
            $principal = Add-VaultKeyslot -Vault $vault -Certificate $certificate -RequireBoth -Password $password
            $principal.Credentials -join ',' | Should -Be 'Password+Certificate'
            $principal.Keyslots.Id | Should -Not -Contain $passwordOnly
            $record = Get-VaultAuditLog -Vault $vault -Action 'keyslot-add' -Outcome success -Last 1
            $record.Detail | Should -Be "Password+Certificate removed $($passwordOnly.ToString('N'))"
        }

        It 'no longer unlocks with the password alone, nor with the certificate alone' {
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Password $password } | Should -Throw -ErrorId 'AuthenticationFailed*'
            { Unlock-Vault -Vault $vault -Certificate $certificate } | Should -Throw -ErrorId 'AuthenticationFailed*'
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeTrue
        }

        It 'unlocks with the password and the certificate together' {
            Unlock-Vault -Vault $vault -Password $password -Certificate $certificate
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'owner'
            Get-VaultKey -Vault $vault -Name 'db/main' -AsPlainText | Should -BeExactly 'kept in the backup'
        }

        It 'refuses it again with InvalidInput once no password-only keyslot is left' {
            $another = New-TestCertificate -Subject 'another laptop'
            { Add-VaultKeyslot -Vault $vault -Certificate $another -RequireBoth -Password $password -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'leaves a copy made before still opening with the password alone, since the private keys stay the same' {
            # The copy has the same vault id and an older audit head, so the unlock warns that it went backwards.
            Unlock-Vault -Vault $backup -Password $password -WarningAction SilentlyContinue
            (Get-VaultStatus -Vault $backup).Principal | Should -Be 'owner'
            Get-VaultKey -Vault $backup -Name 'db/main' -AsPlainText | Should -BeExactly 'kept in the backup'
        }
    }

    Context 'with -Password for a principal that unlocks with a certificate' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'job.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            $jobCertificate = New-TestCertificate -Subject 'nightly-job'
            $null = New-VaultPrincipal -Vault $vault -Name 'nightly-job' -Role User -Certificate $jobCertificate
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Certificate $jobCertificate
            $jobPassword = New-TestPassword -Text 'the nightly job fallback passphrase'
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'refuses a password that is too short with InvalidInput, never echoing it' {
            $shortText = 'Qz7-short'
            $refusal = { Add-VaultKeyslot -Vault $vault -Password (New-TestPassword -Text $shortText) -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*' -PassThru
            Get-ErrorText -ErrorRecord $refusal | Should -Not -BeLike "*$shortText*"
            (Get-VaultPrincipal -Vault $vault -Name 'nightly-job').Credentials -join ',' | Should -Be 'Certificate'
        }

        It 'adds a password keyslot and returns the principal with both credentials' {
            $principal = Add-VaultKeyslot -Vault $vault -Password $jobPassword
            $principal.Name | Should -Be 'nightly-job'
            $principal.Credentials -join ',' | Should -Be 'Certificate,Password'
        }

        It 'then unlocks with the password as well as with the certificate' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'nightly-job' -Password $jobPassword
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'nightly-job'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Certificate $jobCertificate
            (Get-VaultStatus -Vault $vault).Principal | Should -Be 'nightly-job'
        }

        It 'refuses a second password with InvalidInput' {
            { Add-VaultKeyslot -Vault $vault -Password $jobPassword -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'locked.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            Lock-Vault -Vault $vault
            $certificate = New-TestCertificate -Subject 'laptop'
        }

        It 'fails with VaultLocked' {
            { Add-VaultKeyslot -Vault $vault -Certificate $certificate } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
