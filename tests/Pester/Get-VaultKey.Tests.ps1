BeforeDiscovery {
    # Older versions of 'rotating' (written as 'one', 'two', 'three') and the value each holds.
    $olderVersions = @(
        @{ Version = 1; Expected = 'one' }
        @{ Version = 2; Expected = 'two' }
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultKey' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'get.vault'
        $null = New-TestVault -Path $vault -Password $password

        $bytes = [byte[]](0, 1, 2, 127, 128, 254, 255)
        Set-VaultKey -Vault $vault -Name 'type/string' -Value 'plain text value'
        Set-VaultKey -Vault $vault -Name 'type/securestring' -Value (New-TestPassword -Text 'secure text value')
        Set-VaultKey -Vault $vault -Name 'type/bytes' -Value $bytes
        Set-VaultKey -Vault $vault -Name 'type/credential' -Value ([pscredential]::new('svc-user', (New-TestPassword -Text 'credential password')))
        Set-VaultKey -Vault $vault -Name 'type/hashtable' -Value @{
            Text       = 'entry text'
            Secure     = New-TestPassword -Text 'entry secure text'
            Bytes      = [byte[]](7, 8, 9)
            Credential = [pscredential]::new('entry-user', (New-TestPassword -Text 'entry password'))
        }
        foreach ($value in 'one', 'two', 'three') {
            Set-VaultKey -Vault $vault -Name 'rotating' -Value $value
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with a text value' {
        It 'returns a string value as a SecureString by default' {
            $value = Get-VaultKey -Vault $vault -Name 'type/string'
            $value | Should -BeOfType ([securestring])
            ConvertTo-PlainText -SecureString $value | Should -BeExactly 'plain text value'
        }

        It 'returns a string value as a String with -AsPlainText' {
            $value = Get-VaultKey -Vault $vault -Name 'type/string' -AsPlainText
            $value | Should -BeOfType ([string])
            $value | Should -BeExactly 'plain text value'
        }

        It 'returns a SecureString value as a SecureString with -AsSecureString' {
            $value = Get-VaultKey -Vault $vault -Name 'type/securestring' -AsSecureString
            $value | Should -BeOfType ([securestring])
            ConvertTo-PlainText -SecureString $value | Should -BeExactly 'secure text value'
        }

        It 'returns a SecureString value as a String with -AsPlainText' {
            Get-VaultKey -Vault $vault -Name 'type/securestring' -AsPlainText | Should -BeExactly 'secure text value'
        }

        It 'finds the key without regard to case' {
            Get-VaultKey -Vault $vault -Name 'TYPE/STRING' -AsPlainText | Should -BeExactly 'plain text value'
        }

        It 'refuses -AsPlainText together with -AsSecureString with InvalidInput' {
            { Get-VaultKey -Vault $vault -Name 'type/string' -AsPlainText -AsSecureString } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context 'with other value types' {
        It 'returns a byte array as one Byte[] object with the same bytes' {
            $value = Get-VaultKey -Vault $vault -Name 'type/bytes'
            $value.GetType().FullName | Should -Be 'System.Byte[]'
            [Convert]::ToBase64String($value) | Should -BeExactly ([Convert]::ToBase64String($bytes))
        }

        It 'returns a credential as a PSCredential' {
            $value = Get-VaultKey -Vault $vault -Name 'type/credential'
            $value | Should -BeOfType ([pscredential])
            $value.UserName | Should -BeExactly 'svc-user'
            ConvertTo-PlainText -SecureString $value.Password | Should -BeExactly 'credential password'
        }

        It 'returns a hashtable with every entry as its own type' {
            $value = Get-VaultKey -Vault $vault -Name 'type/hashtable'
            $value | Should -BeOfType ([hashtable])
            $value.Keys.Count | Should -Be 4
            $value['Text'] | Should -BeOfType ([securestring])
            ConvertTo-PlainText -SecureString $value['Text'] | Should -BeExactly 'entry text'
            ConvertTo-PlainText -SecureString $value['Secure'] | Should -BeExactly 'entry secure text'
            $value['Bytes'].GetType().FullName | Should -Be 'System.Byte[]'
            $value['Bytes'] -join ',' | Should -Be '7,8,9'
            $value['Credential'].UserName | Should -BeExactly 'entry-user'
            ConvertTo-PlainText -SecureString $value['Credential'].Password | Should -BeExactly 'entry password'
        }

        It 'returns the text entries of a hashtable as strings with -AsPlainText' {
            $value = Get-VaultKey -Vault $vault -Name 'type/hashtable' -AsPlainText
            $value['Text'] | Should -BeExactly 'entry text'
            $value['Secure'] | Should -BeExactly 'entry secure text'
        }

        It 'returns a hashtable whose keys ignore case' {
            $value = Get-VaultKey -Vault $vault -Name 'type/hashtable' -AsPlainText
            $value['TEXT'] | Should -BeExactly 'entry text'
        }
    }

    Context 'with versions' {
        It 'returns the current version by default' {
            Get-VaultKey -Vault $vault -Name 'rotating' -AsPlainText | Should -BeExactly 'three'
        }

        It 'returns version <Version> with -Version' -ForEach $olderVersions {
            Get-VaultKey -Vault $vault -Name 'rotating' -Version $Version -AsPlainText | Should -BeExactly $Expected
        }

        It 'fails with KeyVersionNotFound for a version that was never written' {
            { Get-VaultKey -Vault $vault -Name 'rotating' -Version 9 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyVersionNotFound*'
        }

        It 'refuses version 0 before reading anything' {
            { Get-VaultKey -Vault $vault -Name 'rotating' -Version 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'with pipeline input' {
        It 'reads every key that Get-VaultKeyInfo returns' {
            $values = Get-VaultKeyInfo -Vault $vault -Name 'type/s*' | Get-VaultKey -AsPlainText
            $values -join '|' | Should -BeExactly 'secure text value|plain text value'
        }

        It 'writes KeyNotFound for a missing key and goes on with the next one' {
            $items = @(
                [pscustomobject]@{ Name = 'type/string' }
                [pscustomobject]@{ Name = 'missing/key' }
                [pscustomobject]@{ Name = 'type/bytes' }
            )
            $values = $items | Get-VaultKey -Vault $vault -ErrorVariable failures -ErrorAction SilentlyContinue
            @($values).Count | Should -Be 2
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'KeyNotFound,*'
            $failures[0].TargetObject | Should -Be 'missing/key'
        }
    }

    Context 'when the key is missing' {
        It 'fails with KeyNotFound for a key that does not exist' {
            { Get-VaultKey -Vault $vault -Name 'missing/key' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'when the key is due for rotation' {
        BeforeAll {
            Set-VaultKey -Vault $vault -Name 'due/warning' -Value 'warning value'
            # A warning period as long as the key's life: Warning from the start, for 30 days.
            Set-VaultRotationPolicy -Vault $vault -Name 'due/warning' -MaxAge 30 -Warning 30
            Set-VaultKey -Vault $vault -Name 'due/blocked' -Value 'first'
            Set-VaultKey -Vault $vault -Name 'due/blocked' -Value 'second'
            # Due after 1 second, blocked 1 second later.
            Set-VaultRotationPolicy -Vault $vault -Name 'due/blocked' -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace ([timespan]::FromSeconds(1))
            Start-Sleep -Seconds 2.5
        }

        It 'returns the value of a key in its warning period, with one warning' {
            $value = Get-VaultKey -Vault $vault -Name 'due/warning' -AsPlainText -WarningVariable readWarnings -WarningAction SilentlyContinue
            $value | Should -BeExactly 'warning value'
            @($readWarnings).Count | Should -Be 1
        }

        It 'writes no warning for a key that is not due' {
            $null = Get-VaultKey -Vault $vault -Name 'type/string' -WarningVariable readWarnings -WarningAction SilentlyContinue
            @($readWarnings).Count | Should -Be 0
        }

        It 'fails with KeyExpired for a Blocked key, saying when it was due and since when reads are blocked' {
            $record = $null
            try {
                Get-VaultKey -Vault $vault -Name 'due/blocked' -ErrorAction Stop
            }
            catch {
                $record = $_
            }
            $record.FullyQualifiedErrorId | Should -BeLike 'KeyExpired,*'
            $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $record.TargetObject | Should -Be 'due/blocked'
            $record.Exception.Due | Should -BeOfType ([DateTimeOffset])
            $record.Exception.BlockedSince - $record.Exception.Due | Should -Be ([timespan]::FromSeconds(1))
            $record.Exception.BlockedSince | Should -BeLessThan ([DateTimeOffset]::UtcNow)
        }

        It 'refuses an older version of a Blocked key too' {
            { Get-VaultKey -Vault $vault -Name 'due/blocked' -Version 1 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyExpired*'
        }

        It 'writes KeyExpired for a Blocked key in the pipeline and goes on with the next one' {
            $items = @(
                [pscustomobject]@{ Name = 'due/blocked' }
                [pscustomobject]@{ Name = 'type/string' }
            )
            $values = $items | Get-VaultKey -Vault $vault -AsPlainText -ErrorVariable failures -ErrorAction SilentlyContinue
            $values | Should -BeExactly 'plain text value'
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'KeyExpired,*'
        }

        It 'records each refused read as a denied get and raises a BlockedKeyRead alert' {
            $denied = @(Get-VaultAuditLog -Vault $vault -Action 'get' -Name 'due/blocked' -Outcome denied)
            $denied.Count | Should -Be 3
            $denied.Reason | Sort-Object -Unique | Should -Be 'KeyExpired'
            $keyId = (Get-VaultKeyInfo -Vault $vault -Name 'due/blocked').Id
            $alerts = @(Get-VaultAlert -Vault $vault | Where-Object Kind -EQ 'BlockedKeyRead')
            $alerts.Count | Should -BeGreaterOrEqual 1
            $alerts.TargetId | Sort-Object -Unique | Should -Be $keyId
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        It 'fails with VaultLocked' {
            { Get-VaultKey -Vault $vault -Name 'type/string' } | Should -Throw -ErrorId 'VaultLocked*'
        }

        It 'reads again after Unlock-Vault' {
            Unlock-Vault -Vault $vault -Password $password
            Get-VaultKey -Vault $vault -Name 'type/string' -AsPlainText | Should -BeExactly 'plain text value'
        }
    }
}
