# SecureVault as a Microsoft.PowerShell.SecretManagement extension vault, driven through the REAL
# SecretManagement module (1.1 or newer: Unlock-SecretVault and metadata) where it is installed
# (CI puts the builds in ../shared/tools/modules on PSModulePath). Without it, every test is
# skipped; without SecretStore, only the tests that use it as a second vault.
#
# Every SecureVault vault lives in TestDrive, with the cheapest KDF. The registrations, however, go
# into the user's own SecretManagement registry (SecretManagement has no switch to move it), so each
# one gets a unique SVTest-* name, is never made the default vault, and AfterAll unregisters every
# one of them: the registry is left as it was found. The tests that need a default vault run in a
# new pwsh process whose HOME is in TestDrive.

BeforeDiscovery {
    $script:hasSecretManagement = [bool](Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretManagement |
            Where-Object { $_.Version -ge [version] '1.1.0' })
    # The real SecretStore, for the tests where it is the other registered vault.
    $script:hasSecretStore = [bool](Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretStore)

    # The type SecretManagement reports for each value written in 'Set-Secret and Get-Secret'.
    $typeCases = @(
        @{ Key = 'type/string'; Type = 'String' }
        @{ Key = 'type/securestring'; Type = 'SecureString' }
        @{ Key = 'type/bytes'; Type = 'ByteArray' }
        @{ Key = 'type/credential'; Type = 'PSCredential' }
        @{ Key = 'type/hashtable'; Type = 'Hashtable' }
    )
}

Describe 'SecureVault through SecretManagement' -Skip:(-not $hasSecretManagement) {
    BeforeAll {
        # Cleanup state first, so AfterAll works even when the setup below fails half-way.
        $registered = [System.Collections.Generic.List[string]]::new()
        $vaultPaths = [System.Collections.Generic.List[string]]::new()

        . $PSScriptRoot/TestHelpers.ps1
        Import-Module -Name Microsoft.PowerShell.SecretManagement -MinimumVersion 1.1.0 -ErrorAction Stop

        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword

        function New-SecretManagementTestVault {
            <# Creates a SecureVault vault in TestDrive (cheap KDF, left unlocked); returns its path. #>
            param(
                [Parameter(Mandatory)]
                [string] $FileName,

                [string] $Principal
            )
            $path = Join-Path -Path $TestDrive -ChildPath $FileName
            $vaultPaths.Add($path)
            $arguments = @{ Path = $path; Password = $password }
            if ($Principal) {
                $arguments['Principal'] = $Principal
            }
            $null = New-TestVault @arguments
            $path
        }

        function Register-TestSecretVault {
            <# Registers the built module with SecretManagement under a unique name, never as the default vault; returns the name. #>
            param(
                [Parameter(Mandatory)]
                [hashtable] $VaultParameters
            )
            $name = "SVTest-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
            # Remembered before registering, so that AfterAll also removes a half-done registration.
            $registered.Add($name)
            Register-SecretVault -Name $name -ModuleName $moduleFolder -VaultParameters $VaultParameters -DefaultVault:$false -ErrorAction Stop
            $name
        }

        function Get-ErrorChain {
            <# An error record, every exception inside it, and the error records those exceptions carry, outermost first. #>
            param(
                [Parameter(Mandatory)]
                [System.Management.Automation.ErrorRecord] $ErrorRecord
            )
            $ErrorRecord
            $exception = $ErrorRecord.Exception
            while ($null -ne $exception) {
                $exception
                if ($exception -is [System.Management.Automation.IContainsErrorRecord] -and $null -ne $exception.ErrorRecord) {
                    $exception.ErrorRecord
                }
                $exception = $exception.InnerException
            }
        }

        function Test-SecureVaultErrorId {
            <#
            True when an error is, or wraps, a SecureVault error with the id $ErrorId. SecretManagement
            passes item errors through unchanged and wraps the errors that end an extension command,
            so both shapes count.
            #>
            param(
                [Parameter(Mandatory)]
                [System.Management.Automation.ErrorRecord] $ErrorRecord,

                [Parameter(Mandatory)]
                [string] $ErrorId
            )
            foreach ($item in Get-ErrorChain -ErrorRecord $ErrorRecord) {
                if ($item -is [System.Management.Automation.ErrorRecord] -and $item.FullyQualifiedErrorId -like "$ErrorId,*") {
                    return $true
                }
                if ($item -is [System.Exception] -and $item.PSObject.Properties['ErrorId'] -and $item.ErrorId -eq $ErrorId) {
                    return $true
                }
            }
            $false
        }

        function Test-PasswordRequired {
            <# True when an error is, or wraps, SecretManagement's PasswordRequiredException. #>
            param(
                [Parameter(Mandatory)]
                [System.Management.Automation.ErrorRecord] $ErrorRecord
            )
            $found = Get-ErrorChain -ErrorRecord $ErrorRecord |
                Where-Object { $_ -is [Microsoft.PowerShell.SecretManagement.PasswordRequiredException] }
            [bool] $found
        }

        function ConvertTo-Fingerprint {
            <# A comparable text for a value read with Get-Secret -AsPlainText (test data only). #>
            param(
                $Value
            )
            if ($Value -is [byte[]]) {
                'bytes:' + [Convert]::ToBase64String($Value)
            }
            elseif ($Value -is [pscredential]) {
                'credential:' + $Value.UserName + ':' + $Value.GetNetworkCredential().Password
            }
            elseif ($Value -is [hashtable]) {
                $entries = foreach ($key in @($Value.Keys | Sort-Object)) {
                    $key + '=' + (ConvertTo-Fingerprint -Value $Value[$key])
                }
                'table:' + ($entries -join ';')
            }
            elseif ($Value -is [securestring]) {
                'text:' + (ConvertTo-PlainText -SecureString $Value)
            }
            else {
                'text:' + [string] $Value
            }
        }

        # The vault most tests use, opened as the principal its registration names.
        $mainPath = New-SecretManagementTestVault -FileName 'main.vault' -Principal 'alice'
        $mainName = Register-TestSecretVault -VaultParameters @{ Vault = $mainPath; Principal = 'alice' }
    }

    AfterAll {
        foreach ($name in $registered) {
            if (Get-SecretVault -Name $name -ErrorAction Ignore) {
                # Not Stop: an error reported by the extension must not keep SecretManagement from
                # removing the registration.
                Unregister-SecretVault -Name $name -ErrorAction SilentlyContinue
            }
        }
        foreach ($path in $vaultPaths) {
            Lock-Vault -Vault $path
        }
        if ($savedEnvironment) {
            Exit-TestVaultHome -Saved $savedEnvironment
        }
    }

    Context 'registration' {
        It 'registers under the module name SecureVault with its VaultParameters, not as the default vault' {
            $info = Get-SecretVault -Name $mainName
            $info.ModuleName | Should -Be 'SecureVault'
            $info.VaultParameters['Vault'] | Should -Be $mainPath
            $info.VaultParameters['Principal'] | Should -Be 'alice'
            $info.IsDefault | Should -BeFalse
        }

        It 'passes Test-SecretVault' {
            Test-SecretVault -Name $mainName | Should -BeTrue
        }

        It 'leaves Get-Secret, Set-Secret and Get-SecretInfo to SecretManagement (the module exports none of them)' {
            foreach ($command in 'Get-Secret', 'Set-Secret', 'Get-SecretInfo', 'Remove-Secret', 'Unlock-SecretVault') {
                (Get-Command -Name $command).Source | Should -Be 'Microsoft.PowerShell.SecretManagement'
                Get-Command -Module SecureVault -Name $command -ErrorAction Ignore | Should -BeNullOrEmpty
            }
        }
    }

    Context 'Set-Secret and Get-Secret' {
        BeforeAll {
            $bytes = [byte[]](0, 1, 2, 127, 128, 254, 255)
            Set-Secret -Vault $mainName -Name 'type/string' -Secret 'plain text value' -ErrorAction Stop
            Set-Secret -Vault $mainName -Name 'type/securestring' -SecureStringSecret (New-TestPassword -Text 'secure text value') -ErrorAction Stop
            Set-Secret -Vault $mainName -Name 'type/bytes' -Secret $bytes -ErrorAction Stop
            Set-Secret -Vault $mainName -Name 'type/credential' -Secret ([pscredential]::new('svc-user', (New-TestPassword -Text 'credential password'))) -ErrorAction Stop
            Set-Secret -Vault $mainName -Name 'type/hashtable' -ErrorAction Stop -Secret @{
                Text       = 'entry text'
                Secure     = New-TestPassword -Text 'entry secure text'
                Bytes      = [byte[]](7, 8, 9)
                Credential = [pscredential]::new('entry-user', (New-TestPassword -Text 'entry password'))
            }
        }

        It 'returns a String secret as a SecureString without -AsPlainText' {
            $value = Get-Secret -Vault $mainName -Name 'type/string'
            $value | Should -BeOfType ([securestring])
            ConvertTo-PlainText -SecureString $value | Should -BeExactly 'plain text value'
        }

        It 'returns a String secret as a string with -AsPlainText' {
            $value = Get-Secret -Vault $mainName -Name 'type/string' -AsPlainText
            $value | Should -BeOfType ([string])
            $value | Should -BeExactly 'plain text value'
        }

        It 'returns a SecureString secret as a SecureString without -AsPlainText' {
            $value = Get-Secret -Vault $mainName -Name 'type/securestring'
            $value | Should -BeOfType ([securestring])
            ConvertTo-PlainText -SecureString $value | Should -BeExactly 'secure text value'
        }

        It 'returns a SecureString secret as a string with -AsPlainText' {
            Get-Secret -Vault $mainName -Name 'type/securestring' -AsPlainText | Should -BeExactly 'secure text value'
        }

        It 'returns the bytes of a ByteArray secret, with and without -AsPlainText' {
            $value = Get-Secret -Vault $mainName -Name 'type/bytes'
            [Convert]::ToBase64String([byte[]] $value) | Should -BeExactly ([Convert]::ToBase64String($bytes))
            $plain = Get-Secret -Vault $mainName -Name 'type/bytes' -AsPlainText
            [Convert]::ToBase64String([byte[]] $plain) | Should -BeExactly ([Convert]::ToBase64String($bytes))
        }

        It 'returns a PSCredential secret as a PSCredential, with and without -AsPlainText' {
            foreach ($value in (Get-Secret -Vault $mainName -Name 'type/credential'), (Get-Secret -Vault $mainName -Name 'type/credential' -AsPlainText)) {
                $value | Should -BeOfType ([pscredential])
                $value.UserName | Should -BeExactly 'svc-user'
                ConvertTo-PlainText -SecureString $value.Password | Should -BeExactly 'credential password'
            }
        }

        It 'returns a Hashtable secret with its text entries as SecureString without -AsPlainText' {
            $value = Get-Secret -Vault $mainName -Name 'type/hashtable'
            $value | Should -BeOfType ([hashtable])
            $value.Keys.Count | Should -Be 4
            $value['Text'] | Should -BeOfType ([securestring])
            ConvertTo-PlainText -SecureString $value['Text'] | Should -BeExactly 'entry text'
            $value['Secure'] | Should -BeOfType ([securestring])
            ConvertTo-PlainText -SecureString $value['Secure'] | Should -BeExactly 'entry secure text'
            [Convert]::ToBase64String([byte[]] $value['Bytes']) | Should -BeExactly ([Convert]::ToBase64String([byte[]](7, 8, 9)))
            $value['Credential'].UserName | Should -BeExactly 'entry-user'
            ConvertTo-PlainText -SecureString $value['Credential'].Password | Should -BeExactly 'entry password'
        }

        It 'returns the text entries of a Hashtable secret as strings with -AsPlainText' {
            $value = Get-Secret -Vault $mainName -Name 'type/hashtable' -AsPlainText
            $value['Text'] | Should -BeExactly 'entry text'
            $value['Secure'] | Should -BeExactly 'entry secure text'
        }

        It 'reports <Key> as type <Type> in Get-SecretInfo' -ForEach $typeCases {
            $info = Get-SecretInfo -Vault $mainName -Name $Key
            $info.Type.ToString() | Should -Be $Type
        }

        It 'finds a secret without regard to case' {
            Get-Secret -Vault $mainName -Name 'TYPE/STRING' -AsPlainText | Should -BeExactly 'plain text value'
        }

        It 'stores ordinary SecureVault keys that the SecureVault cmdlets read' {
            Get-VaultKey -Vault $mainPath -Name 'type/string' -AsPlainText | Should -BeExactly 'plain text value'
            (Get-VaultKeyInfo -Vault $mainPath -Name 'type/credential').Type.ToString() | Should -Be 'Credential'
        }

        It 'writes a new version when a secret is set again' {
            Set-Secret -Vault $mainName -Name 'type/versioned' -Secret 'first' -ErrorAction Stop
            Set-Secret -Vault $mainName -Name 'type/versioned' -Secret 'second' -ErrorAction Stop
            Get-Secret -Vault $mainName -Name 'type/versioned' -AsPlainText | Should -BeExactly 'second'
            (Get-VaultKeyInfo -Vault $mainPath -Name 'type/versioned').Version | Should -Be 2
            Get-VaultKey -Vault $mainPath -Name 'type/versioned' -Version 1 -AsPlainText | Should -BeExactly 'first'
        }

        It 'refuses a value of an unsupported type with InvalidInput and stores nothing' {
            $failure = { Set-Secret -Vault $mainName -Name 'type/unsupported' -Secret 1.5 -ErrorAction Stop } | Should -Throw -PassThru
            Test-SecureVaultErrorId -ErrorRecord $failure -ErrorId 'InvalidInput' | Should -BeTrue
            Get-SecretInfo -Vault $mainName -Name 'type/unsupported' | Should -BeNullOrEmpty
        }

        It 'writes SecretManagement''s GetSecretNotFound for a name the vault does not hold' {
            { Get-Secret -Vault $mainName -Name 'type/missing' -ErrorAction Stop } | Should -Throw -ErrorId 'GetSecretNotFound*'
        }
    }

    Context 'Get-SecretInfo' {
        BeforeAll {
            foreach ($name in 'info/alpha', 'info/beta', 'info/gamma', 'other/delta') {
                Set-Secret -Vault $mainName -Name $name -Secret "value of $name" -ErrorAction Stop
            }
        }

        It 'returns the secrets that match a wildcard filter, sorted by name' {
            $infos = Get-SecretInfo -Vault $mainName -Name 'info/*'
            $infos.Name -join ',' | Should -BeExactly 'info/alpha,info/beta,info/gamma'
        }

        It 'names the registered vault in VaultName' {
            $infos = Get-SecretInfo -Vault $mainName -Name 'info/*'
            $infos.VaultName | Sort-Object -Unique | Should -Be $mainName
        }

        It 'returns exactly one secret for a name without wildcards, in any case' {
            $infos = @(Get-SecretInfo -Vault $mainName -Name 'INFO/BETA')
            $infos.Count | Should -Be 1
            $infos[0].Name | Should -BeExactly 'info/beta'
        }

        It 'returns every secret without a name' {
            $names = (Get-SecretInfo -Vault $mainName).Name
            foreach ($name in 'info/alpha', 'info/beta', 'info/gamma', 'other/delta') {
                $names | Should -Contain $name
            }
        }

        It 'returns nothing, without an error, for a name the vault does not hold' {
            Get-SecretInfo -Vault $mainName -Name 'info/missing' -ErrorAction Stop | Should -BeNullOrEmpty
        }
    }

    Context 'metadata' {
        BeforeAll {
            $expires = [datetime]::new(2030, 1, 2, 3, 4, 5, [System.DateTimeKind]::Utc)
            $metadata = @{
                Description = 'billing database'
                Service     = 'billing'
                Tags        = 'prod, db'
                Owner       = 'team-a'
                Port        = 5432
                Expires     = $expires
            }
            Set-Secret -Vault $mainName -Name 'meta/key' -Secret 'metadata value' -Metadata $metadata -ErrorAction Stop
        }

        It 'returns string, int and DateTime entries with their types' {
            $read = (Get-SecretInfo -Vault $mainName -Name 'meta/key').Metadata
            $read['Owner'] | Should -BeOfType ([string])
            $read['Owner'] | Should -BeExactly 'team-a'
            $read['Port'] | Should -BeOfType ([int])
            $read['Port'] | Should -Be 5432
            $read['Expires'] | Should -BeOfType ([datetime])
            $read['Expires'].ToUniversalTime() | Should -Be $expires
        }

        It 'returns Description, Service and Tags as written' {
            $read = (Get-SecretInfo -Vault $mainName -Name 'meta/key').Metadata
            $read['Description'] | Should -BeExactly 'billing database'
            $read['Service'] | Should -BeExactly 'billing'
            (($read['Tags'] -split ',' | ForEach-Object { $_.Trim() } | Sort-Object) -join ',') | Should -BeExactly 'db,prod'
        }

        It 'maps Description, Service and Tags onto the SecureVault key and keeps the rest as fields' {
            $info = Get-VaultKeyInfo -Vault $mainPath -Name 'meta/key'
            $info.Description | Should -BeExactly 'billing database'
            $info.Service | Should -BeExactly 'billing'
            (@($info.Tags) | Sort-Object) -join ',' | Should -BeExactly 'db,prod'
            $info.Fields['Port'] | Should -Be 5432
            $info.Fields['Owner'] | Should -BeExactly 'team-a'
        }

        It 'makes the tags searchable with Get-VaultKeyInfo -Tag' {
            (Get-VaultKeyInfo -Vault $mainPath -Tag 'prod').Name | Should -Contain 'meta/key'
        }

        It 'keeps the metadata when the secret is set again without -Metadata' {
            Set-Secret -Vault $mainName -Name 'meta/kept' -Secret 'one' -Metadata @{ Description = 'kept description' } -ErrorAction Stop
            Set-Secret -Vault $mainName -Name 'meta/kept' -Secret 'two' -ErrorAction Stop
            (Get-SecretInfo -Vault $mainName -Name 'meta/kept').Metadata['Description'] | Should -BeExactly 'kept description'
            Get-Secret -Vault $mainName -Name 'meta/kept' -AsPlainText | Should -BeExactly 'two'
        }

        It 'replaces the metadata with Set-SecretInfo without writing a new version' {
            Set-Secret -Vault $mainName -Name 'meta/replaced' -Secret 'unchanged' -Metadata @{ Description = 'old'; Owner = 'ops' } -ErrorAction Stop
            Set-SecretInfo -Vault $mainName -Name 'meta/replaced' -Metadata @{ Team = 'blue' } -ErrorAction Stop
            $read = (Get-SecretInfo -Vault $mainName -Name 'meta/replaced').Metadata
            @($read.Keys) -join ',' | Should -BeExactly 'Team'
            $read['Team'] | Should -BeExactly 'blue'
            (Get-VaultKeyInfo -Vault $mainPath -Name 'meta/replaced').Version | Should -Be 1
            Get-Secret -Vault $mainName -Name 'meta/replaced' -AsPlainText | Should -BeExactly 'unchanged'
        }

        It 'refuses metadata of an unsupported type with InvalidInput and changes nothing' {
            $failure = { Set-SecretInfo -Vault $mainName -Name 'meta/key' -Metadata @{ Ratio = 1.5 } -ErrorAction Stop } | Should -Throw -PassThru
            Test-SecureVaultErrorId -ErrorRecord $failure -ErrorId 'InvalidInput' | Should -BeTrue
            (Get-SecretInfo -Vault $mainName -Name 'meta/key').Metadata['Description'] | Should -BeExactly 'billing database'
        }
    }

    Context 'Remove-Secret' {
        It 'removes a secret' {
            Set-Secret -Vault $mainName -Name 'remove/me' -Secret 'short-lived' -ErrorAction Stop
            Remove-Secret -Vault $mainName -Name 'remove/me' -ErrorAction Stop
            Get-SecretInfo -Vault $mainName -Name 'remove/me' | Should -BeNullOrEmpty
            { Get-Secret -Vault $mainName -Name 'remove/me' -ErrorAction Stop } | Should -Throw -ErrorId 'GetSecretNotFound*'
        }

        It 'writes KeyNotFound for a secret that does not exist' {
            $failure = { Remove-Secret -Vault $mainName -Name 'remove/missing' -ErrorAction Stop } | Should -Throw -PassThru
            Test-SecureVaultErrorId -ErrorRecord $failure -ErrorId 'KeyNotFound' | Should -BeTrue
        }
    }

    Context 'Test-SecretVault' {
        It 'returns False with a VaultNotFound error for a vault file that does not exist, and creates none' {
            $missingPath = Join-Path -Path $TestDrive -ChildPath 'missing.vault'
            $missingName = Register-TestSecretVault -VaultParameters @{ Vault = $missingPath }
            $result = Test-SecretVault -Name $missingName -ErrorAction SilentlyContinue -ErrorVariable failures
            $result | Should -BeFalse
            @($failures | Where-Object { Test-SecureVaultErrorId -ErrorRecord $_ -ErrorId 'VaultNotFound' }).Count | Should -BeGreaterThan 0
            Test-Path -LiteralPath $missingPath | Should -BeFalse
        }
    }

    Context 'VaultParameters' {
        BeforeAll {
            Set-VaultKey -Vault $mainPath -Name 'params/key' -Value 'params value'
            # Test data only: never a real password. It must never reach an error message.
            $fakePassword = 'not-a-real-password-4711'
            $passwordName = Register-TestSecretVault -VaultParameters @{ Vault = $mainPath; Password = $fakePassword }
        }

        It 'fails Test-SecretVault with InvalidInput for a registration that holds a password' {
            $result = Test-SecretVault -Name $passwordName -ErrorAction SilentlyContinue -ErrorVariable failures
            $result | Should -BeFalse
            @($failures | Where-Object { Test-SecureVaultErrorId -ErrorRecord $_ -ErrorId 'InvalidInput' }).Count | Should -BeGreaterThan 0
        }

        It 'never shows the password in that error' {
            $null = Test-SecretVault -Name $passwordName -ErrorAction SilentlyContinue -ErrorVariable failures
            @($failures).Count | Should -BeGreaterThan 0
            foreach ($failure in $failures) {
                Get-ErrorText -ErrorRecord $failure | Should -Not -BeLike "*$fakePassword*"
            }
        }

        It 'refuses to read secrets through that registration, although the vault is unlocked' {
            $failure = { Get-Secret -Vault $passwordName -Name 'params/key' -ErrorAction Stop } | Should -Throw -PassThru
            Test-SecureVaultErrorId -ErrorRecord $failure -ErrorId 'InvalidInput' | Should -BeTrue
        }

        It 'finds the vault when the VaultParameters keys are spelled in another case' {
            # SecretManagement hands the parameters over in a case-sensitive Hashtable, exactly as typed.
            $lowerCaseName = Register-TestSecretVault -VaultParameters @{ vault = $mainPath; principal = 'alice' }
            Get-Secret -Vault $lowerCaseName -Name 'params/key' -AsPlainText -ErrorAction Stop | Should -BeExactly 'params value'
        }
    }

    Context 'a locked vault' {
        BeforeAll {
            $lockPath = New-SecretManagementTestVault -FileName 'lock.vault' -Principal 'alice'
            Set-VaultKey -Vault $lockPath -Name 'lock/key' -Value 'lock value'
            $lockName = Register-TestSecretVault -VaultParameters @{ Vault = $lockPath; Principal = 'alice' }
            $wrongPrincipalName = Register-TestSecretVault -VaultParameters @{ Vault = $lockPath; Principal = 'mallory' }
        }

        BeforeEach {
            Lock-Vault -Vault $lockPath
        }

        It 'fails Get-Secret with SecretManagement''s PasswordRequiredException' {
            $failure = { Get-Secret -Vault $lockName -Name 'lock/key' -ErrorAction Stop } | Should -Throw -PassThru
            Test-PasswordRequired -ErrorRecord $failure | Should -BeTrue
        }

        It 'fails Set-Secret with PasswordRequiredException' {
            $failure = { Set-Secret -Vault $lockName -Name 'lock/new' -Secret 'value' -ErrorAction Stop } | Should -Throw -PassThru
            Test-PasswordRequired -ErrorRecord $failure | Should -BeTrue
        }

        It 'fails Test-SecretVault with a VaultLocked error that says how to unlock it' {
            $result = Test-SecretVault -Name $lockName -ErrorAction SilentlyContinue -ErrorVariable failures
            $result | Should -BeFalse
            $locked = @($failures | Where-Object { Test-SecureVaultErrorId -ErrorRecord $_ -ErrorId 'VaultLocked' })
            $locked.Count | Should -Be 1
            $locked[0].ToString() | Should -BeLike "*Unlock-SecretVault -Name '$lockName'*"
        }

        It 'passes Test-SecretVault again once unlocked' {
            Unlock-SecretVault -Name $lockName -Password $password -ErrorAction Stop
            Test-SecretVault -Name $lockName -ErrorAction Stop | Should -BeTrue
        }

        It 'answers Get-SecretInfo for one name with a warning that says how to unlock it, and no error' {
            $infos = Get-SecretInfo -Vault $lockName -Name 'lock/key' -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
            $infos | Should -BeNullOrEmpty
            @($warnings).Count | Should -Be 1
            [string] $warnings[0] | Should -BeLike "*Unlock-SecretVault -Name '$lockName'*"
        }

        It 'fails a Get-SecretInfo listing with PasswordRequiredException' {
            $failure = { Get-SecretInfo -Vault $lockName -ErrorAction Stop } | Should -Throw -PassThru
            Test-PasswordRequired -ErrorRecord $failure | Should -BeTrue
        }

        It 'is unlocked by Unlock-SecretVault for SecretManagement and the SecureVault cmdlets alike' {
            Unlock-SecretVault -Name $lockName -Password $password -ErrorAction Stop
            Get-Secret -Vault $lockName -Name 'lock/key' -AsPlainText | Should -BeExactly 'lock value'
            $status = Get-VaultStatus -Vault $lockPath
            $status.IsLocked | Should -BeFalse
            $status.Principal | Should -Be 'alice'
            Get-VaultKey -Vault $lockPath -Name 'lock/key' -AsPlainText | Should -BeExactly 'lock value'
        }

        It 'serves Get-Secret after Unlock-Vault in this runspace' {
            Unlock-Vault -Vault $lockPath -Password $password
            Get-Secret -Vault $lockName -Name 'lock/key' -AsPlainText | Should -BeExactly 'lock value'
        }

        It 'is locked for SecretManagement again by Lock-Vault' {
            Unlock-SecretVault -Name $lockName -Password $password -ErrorAction Stop
            Lock-Vault -Vault $lockPath
            $failure = { Get-Secret -Vault $lockName -Name 'lock/key' -ErrorAction Stop } | Should -Throw -PassThru
            Test-PasswordRequired -ErrorRecord $failure | Should -BeTrue
        }

        It 'refuses a wrong password with AuthenticationFailed, never showing it, and stays locked' {
            $wrongText = 'wrong password 4711'
            $failure = { Unlock-SecretVault -Name $lockName -Password (New-TestPassword -Text $wrongText) -ErrorAction Stop } | Should -Throw -PassThru
            Test-SecureVaultErrorId -ErrorRecord $failure -ErrorId 'AuthenticationFailed' | Should -BeTrue
            Get-ErrorText -ErrorRecord $failure | Should -Not -BeLike "*$wrongText*"
            (Get-VaultStatus -Vault $lockPath).IsLocked | Should -BeTrue
        }

        It 'authenticates the principal the registration names' {
            # The right password, but for alice: the registration asks for mallory, who does not exist.
            $failure = { Unlock-SecretVault -Name $wrongPrincipalName -Password $password -ErrorAction Stop } | Should -Throw -PassThru
            Test-SecureVaultErrorId -ErrorRecord $failure -ErrorId 'AuthenticationFailed' | Should -BeTrue
            (Get-VaultStatus -Vault $lockPath).IsLocked | Should -BeTrue
        }
    }

    Context 'a locked default vault beside a SecretStore vault' -Skip:(-not $hasSecretStore) {
        # SecretManagement's registry and SecretStore's store both live under HOME, read once when
        # the modules load: a new pwsh process with HOME in TestDrive keeps the user's untouched,
        # and lets the SecureVault vault be the default one there.
        BeforeAll {
            $isolatedHome = Join-Path -Path $TestDrive -ChildPath 'fallthrough-home'
            $null = New-Item -ItemType Directory -Path $isolatedHome
            $resultPath = Join-Path -Path $TestDrive -ChildPath 'fallthrough.json'
            $scriptPath = Join-Path -Path $TestDrive -ChildPath 'fallthrough.ps1'
            Set-Content -LiteralPath $scriptPath -Value @'
param([string] $Manifest, [string] $ResultPath)
$ErrorActionPreference = 'Stop'
Import-Module -Name $Manifest
Import-Module -Name Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore
$password = ConvertTo-SecureString -String 'correct horse battery staple' -AsPlainText -Force
$vaultPath = Join-Path -Path $env:HOME -ChildPath 'team.vault'
$null = New-Vault -Vault $vaultPath -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
Set-VaultKey -Vault $vaultPath -Name 'team/only' -Value 'team value'
# A SecretStore with no password, for tests (it would prompt for one otherwise).
Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
Register-SecretVault -Name Store -ModuleName Microsoft.PowerShell.SecretStore
Register-SecretVault -Name Team -ModuleName (Split-Path -Path $Manifest -Parent) -VaultParameters @{ Vault = $vaultPath } -DefaultVault
Set-Secret -Vault Store -Name 'store/only' -Secret 'store value'
Lock-Vault -Vault $vaultPath

$result = [ordered]@{ Default = (Get-SecretVault | Where-Object IsDefault).Name }
# No -Vault: SecretManagement asks the default vault first, then the others.
$result.Value = Get-Secret -Name 'store/only' -AsPlainText -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
$result.Warnings = @($warnings | ForEach-Object { [string] $_ })
try {
    $null = Get-Secret -Vault Team -Name 'team/only' -ErrorAction Stop
    $result.TeamError = $null
}
catch {
    $result.TeamError = $_.ToString()
    $result.TeamPasswordRequired = $_.Exception -is [Microsoft.PowerShell.SecretManagement.PasswordRequiredException]
}
$result.TestResult = Test-SecretVault -Name Team -ErrorAction SilentlyContinue -ErrorVariable testErrors
$result.TestErrorIds = @($testErrors | ForEach-Object { $_.FullyQualifiedErrorId })
$result.TestErrors = @($testErrors | ForEach-Object { $_.ToString() })
$result | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath $ResultPath
'@
            $manifest = Join-Path -Path (Get-Module -Name SecureVault).ModuleBase -ChildPath 'SecureVault.psd1'
            $environment = @{
                HOME             = $isolatedHome
                XDG_DATA_HOME    = Join-Path -Path $isolatedHome -ChildPath '.local/share'
                XDG_CONFIG_HOME  = Join-Path -Path $isolatedHome -ChildPath '.config'
                XDG_CACHE_HOME   = Join-Path -Path $isolatedHome -ChildPath '.cache'
                SECUREVAULT_HOME = $isolatedHome
            }
            $exitCode = Invoke-TestPwsh -ScriptPath $scriptPath -Environment $environment -ArgumentList $manifest, $resultPath
            $result = if (Test-Path -LiteralPath $resultPath) { Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json } else { $null }
        }

        It 'runs the scenario to the end, with the SecureVault vault as the default' {
            $exitCode | Should -Be 0
            $result.Default | Should -Be 'Team'
        }

        It 'keeps the test''s SecretManagement registry and SecretStore data inside TestDrive' {
            Test-Path -LiteralPath (Join-Path -Path $isolatedHome -ChildPath '.secretmanagement') | Should -BeTrue
        }

        It 'lets Get-Secret without -Vault find a secret of the other vault, even with -ErrorAction Stop' {
            $result.Value | Should -BeExactly 'store value'
        }

        It 'warns on the way that the default vault is locked and how to unlock it' {
            @($result.Warnings).Count | Should -Be 1
            $result.Warnings[0] | Should -BeLike "*Unlock-SecretVault -Name 'Team'*"
        }

        It 'still fails Get-Secret -Vault Team with PasswordRequiredException saying how to unlock it' {
            $result.TeamPasswordRequired | Should -BeTrue
            $result.TeamError | Should -BeLike "*Unlock-SecretVault -Name 'Team'*"
        }

        It 'fails Test-SecretVault on the locked default vault with a VaultLocked error' {
            $result.TestResult | Should -BeFalse
            @($result.TestErrorIds | Where-Object { $_ -like 'VaultLocked,*' }).Count | Should -Be 1
            @($result.TestErrors | Where-Object { $_ -like "*Unlock-SecretVault -Name 'Team'*" }).Count | Should -Be 1
        }
    }

    Context 'migration from another registered vault' {
        BeforeAll {
            $oldPath = New-SecretManagementTestVault -FileName 'old.vault'
            $oldName = Register-TestSecretVault -VaultParameters @{ Vault = $oldPath }
            Set-Secret -Vault $oldName -Name 'm/string' -Secret 'plain text value' -Metadata @{ Description = 'migrated'; Port = 443 } -ErrorAction Stop
            Set-Secret -Vault $oldName -Name 'm/securestring' -SecureStringSecret (New-TestPassword -Text 'secure text value') -ErrorAction Stop
            Set-Secret -Vault $oldName -Name 'm/bytes' -Secret ([byte[]](0, 1, 2, 254, 255)) -ErrorAction Stop
            Set-Secret -Vault $oldName -Name 'm/credential' -Secret ([pscredential]::new('svc-user', (New-TestPassword -Text 'credential password'))) -ErrorAction Stop
            Set-Secret -Vault $oldName -Name 'm/hashtable' -Secret @{ Text = 'entry text'; Bytes = [byte[]](7, 8) } -ErrorAction Stop
            $oldNames = @((Get-SecretInfo -Vault $oldName).Name)

            function Assert-SameSecrets {
                <# Every secret of the old vault is in $Target, with the same name and value. #>
                param(
                    [Parameter(Mandatory)]
                    [string] $Target
                )
                @((Get-SecretInfo -Vault $Target).Name) -join ',' | Should -BeExactly ($oldNames -join ',')
                foreach ($name in $oldNames) {
                    $copied = ConvertTo-Fingerprint -Value (Get-Secret -Vault $Target -Name $name -AsPlainText -ErrorAction Stop)
                    $original = ConvertTo-Fingerprint -Value (Get-Secret -Vault $oldName -Name $name -AsPlainText -ErrorAction Stop)
                    $copied | Should -BeExactly $original -Because "the value of $name must be copied"
                }
            }
        }

        It 'holds the five secrets to copy' {
            $oldNames.Count | Should -Be 5
        }

        It 'copies every secret with the one-line pipeline, text as SecureString' {
            $targetPath = New-SecretManagementTestVault -FileName 'migrated-as-read.vault'
            $target = Register-TestSecretVault -VaultParameters @{ Vault = $targetPath }

            Get-SecretInfo -Vault $oldName | ForEach-Object { Set-Secret -Vault $target -Name $_.Name -Secret (Get-Secret -Vault $oldName -Name $_.Name) }

            Assert-SameSecrets -Target $target
            # The documented caveat: Get-Secret hands text out as SecureString.
            (Get-SecretInfo -Vault $target -Name 'm/string').Type.ToString() | Should -Be 'SecureString'
            (Get-SecretInfo -Vault $target -Name 'm/bytes').Type.ToString() | Should -Be 'ByteArray'
            (Get-SecretInfo -Vault $target -Name 'm/credential').Type.ToString() | Should -Be 'PSCredential'
        }

        It 'copies every secret with the -AsPlainText variant, text as String' {
            $targetPath = New-SecretManagementTestVault -FileName 'migrated-as-text.vault'
            $target = Register-TestSecretVault -VaultParameters @{ Vault = $targetPath }

            Get-SecretInfo -Vault $oldName | ForEach-Object { Set-Secret -Vault $target -Name $_.Name -Secret (Get-Secret -Vault $oldName -Name $_.Name -AsPlainText) }

            Assert-SameSecrets -Target $target
            (Get-SecretInfo -Vault $target -Name 'm/string').Type.ToString() | Should -Be 'String'
            (Get-SecretInfo -Vault $target -Name 'm/securestring').Type.ToString() | Should -Be 'String'
        }

        It 'copies every secret and its metadata with Set-Secret -SecretInfo' {
            $targetPath = New-SecretManagementTestVault -FileName 'migrated-by-info.vault'
            $target = Register-TestSecretVault -VaultParameters @{ Vault = $targetPath }

            Get-SecretInfo -Vault $oldName | ForEach-Object { Set-Secret -SecretInfo $_ -Vault $target }

            Assert-SameSecrets -Target $target
            $metadata = (Get-SecretInfo -Vault $target -Name 'm/string').Metadata
            $metadata['Description'] | Should -BeExactly 'migrated'
            $metadata['Port'] | Should -Be 443
        }

        It 'copies every secret with Import-VaultSecret, keeping each type and the metadata' {
            $targetPath = New-SecretManagementTestVault -FileName 'imported.vault'
            $target = Register-TestSecretVault -VaultParameters @{ Vault = $targetPath }

            Import-VaultSecret -Vault $targetPath -SourceVault $oldName -ErrorAction Stop

            Assert-SameSecrets -Target $target
            $typesOf = { param($Vault) @(Get-SecretInfo -Vault $Vault | ForEach-Object { '{0}={1}' -f $_.Name, $_.Type }) -join ',' }
            & $typesOf $target | Should -BeExactly (& $typesOf $oldName)
            $metadata = (Get-SecretInfo -Vault $target -Name 'm/string').Metadata
            $metadata['Description'] | Should -BeExactly 'migrated'
            $metadata['Port'] | Should -Be 443
        }

        It 'skips, with a warning, a key that Import-VaultSecret finds already there' {
            $targetPath = New-SecretManagementTestVault -FileName 'import-existing.vault'
            Set-VaultKey -Vault $targetPath -Name 'm/string' -Value 'already here'

            Import-VaultSecret -Vault $targetPath -SourceVault $oldName -Name 'm/string' -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop

            @($warnings).Count | Should -Be 1
            Get-VaultKey -Vault $targetPath -Name 'm/string' -AsPlainText | Should -BeExactly 'already here'
            (Get-VaultKeyInfo -Vault $targetPath -Name 'm/string').Version | Should -Be 1
        }
    }

    Context 'Unregister-SecretVault' {
        BeforeAll {
            $unregisterPath = New-SecretManagementTestVault -FileName 'unregister.vault'
            Set-VaultKey -Vault $unregisterPath -Name 'kept' -Value 'kept value'
            $unregisterName = Register-TestSecretVault -VaultParameters @{ Vault = $unregisterPath }
        }

        It 'removes the registration, locks the vault and keeps the file with its secrets' {
            Get-Secret -Vault $unregisterName -Name 'kept' -AsPlainText | Should -BeExactly 'kept value'

            Unregister-SecretVault -Name $unregisterName -ErrorAction Stop

            Get-SecretVault -Name $unregisterName -ErrorAction Ignore | Should -BeNullOrEmpty
            (Get-VaultStatus -Vault $unregisterPath).IsLocked | Should -BeTrue
            Test-Path -LiteralPath $unregisterPath | Should -BeTrue
            Unlock-Vault -Vault $unregisterPath -Password $password
            Get-VaultKey -Vault $unregisterPath -Name 'kept' -AsPlainText | Should -BeExactly 'kept value'
        }
    }
}
