# No error a SecureVault cmdlet reports may contain a secret: not a value, not a password, in
# the message, the exception (with inner exceptions), the target object, or the formatted record.
# Every secret here is unique, and the commands name it only through a variable, so the invocation
# line that a formatted ErrorRecord shows cannot contain it either.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Error records' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $passwordText = 'vault-password-' + [guid]::NewGuid().ToString('n')
        $password = New-TestPassword -Text $passwordText
        $vault = Join-Path -Path $TestDrive -ChildPath 'errors.vault'
        $null = New-TestVault -Path $vault -Password $password
        $storedText = 'stored-secret-' + [guid]::NewGuid().ToString('n')
        Set-VaultKey -Vault $vault -Name 'stored' -Value $storedText
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'when a value is refused' {
        BeforeAll {
            $secretText = 'refused-secret-' + [guid]::NewGuid().ToString('n')
        }

        It 'does not show a value of an unsupported type inside a hashtable' {
            $value = @{ Token = $secretText; Nested = @{ Inner = $secretText } }
            $record = $null
            try { Set-VaultKey -Vault $vault -Name 'refused/nested' -Value $value -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'InvalidInput,*'
            (Get-ErrorText -ErrorRecord $record).Contains($secretText) | Should -BeFalse
        }

        It 'does not show a value larger than 1 MiB' {
            $value = $secretText + ('x' * 1MB)
            $record = $null
            try { Set-VaultKey -Vault $vault -Name 'refused/large' -Value $value -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'InvalidInput,*'
            (Get-ErrorText -ErrorRecord $record).Contains($secretText) | Should -BeFalse
        }

        It 'does not show the value when the name is refused' {
            $badName = 'bad' + [char] 7 + 'name'
            $record = $null
            try { Set-VaultKey -Vault $vault -Name $badName -Value $secretText -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'InvalidInput,*'
            (Get-ErrorText -ErrorRecord $record).Contains($secretText) | Should -BeFalse
        }

        It 'does not show the value when the vault is locked' {
            Lock-Vault -Vault $vault
            $record = $null
            try { Set-VaultKey -Vault $vault -Name 'refused/locked' -Value $secretText } catch { $record = $_ }
            Unlock-Vault -Vault $vault -Password $password
            $record.FullyQualifiedErrorId | Should -BeLike 'VaultLocked,*'
            (Get-ErrorText -ErrorRecord $record).Contains($secretText) | Should -BeFalse
        }
    }

    Context 'when a read fails' {
        It 'does not show the stored value for a missing version' {
            $record = $null
            try { Get-VaultKey -Vault $vault -Name 'stored' -Version 5 -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'KeyVersionNotFound,*'
            (Get-ErrorText -ErrorRecord $record).Contains($storedText) | Should -BeFalse
        }

        It 'does not show the stored value when the vault is locked' {
            Lock-Vault -Vault $vault
            $record = $null
            try { Get-VaultKey -Vault $vault -Name 'stored' -AsPlainText } catch { $record = $_ }
            Unlock-Vault -Vault $vault -Password $password
            $record.FullyQualifiedErrorId | Should -BeLike 'VaultLocked,*'
            (Get-ErrorText -ErrorRecord $record).Contains($storedText) | Should -BeFalse
        }
    }

    Context 'when a password is refused' {
        It 'does not show a wrong password given to Unlock-Vault' {
            $wrongText = 'wrong-password-' + [guid]::NewGuid().ToString('n')
            $wrongPassword = New-TestPassword -Text $wrongText
            $record = $null
            try { Unlock-Vault -Vault $vault -Password $wrongPassword } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
            $text = Get-ErrorText -ErrorRecord $record
            $text.Contains($wrongText) | Should -BeFalse
            $text.Contains($passwordText) | Should -BeFalse
        }

        It 'does not show a password that is too short for New-Vault' {
            $shortText = 'Q7!' + [guid]::NewGuid().ToString('n').Substring(0, 4)
            $shortPassword = New-TestPassword -Text $shortText
            $newVault = Join-Path -Path $TestDrive -ChildPath 'short.vault'
            $record = $null
            try { New-Vault -Vault $newVault -Password $shortPassword -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1 -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'InvalidInput,*'
            (Get-ErrorText -ErrorRecord $record).Contains($shortText) | Should -BeFalse
        }

        It 'does not show the passwords given to Set-VaultPassword with a wrong current password' {
            $wrongText = 'wrong-current-' + [guid]::NewGuid().ToString('n')
            $nextText = 'next-password-' + [guid]::NewGuid().ToString('n')
            $wrongPassword = New-TestPassword -Text $wrongText
            $nextPassword = New-TestPassword -Text $nextText
            $record = $null
            try { Set-VaultPassword -Vault $vault -Password $wrongPassword -NewPassword $nextPassword } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
            $text = Get-ErrorText -ErrorRecord $record
            $text.Contains($wrongText) | Should -BeFalse
            $text.Contains($nextText) | Should -BeFalse
            $text.Contains($passwordText) | Should -BeFalse
        }

        It 'does not show a new password that is too short for Set-VaultPassword' {
            $shortText = 'Z9#' + [guid]::NewGuid().ToString('n').Substring(0, 4)
            $shortPassword = New-TestPassword -Text $shortText
            $record = $null
            try { Set-VaultPassword -Vault $vault -Password $password -NewPassword $shortPassword -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'InvalidInput,*'
            $text = Get-ErrorText -ErrorRecord $record
            $text.Contains($shortText) | Should -BeFalse
            $text.Contains($passwordText) | Should -BeFalse
        }
    }
}
