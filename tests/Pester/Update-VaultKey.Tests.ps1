BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Update-VaultKey' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $userPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'update.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $userPassword

        Set-VaultKey -Vault $vault -Name 'value/one' -Value 'first'
        Set-VaultKey -Vault $vault -Name 'script/string' -Value 'plain text'
        Set-VaultKey -Vault $vault -Name 'script/params' -Value 'by parameter'
        Set-VaultKey -Vault $vault -Name 'script/securestring' -Value (New-TestPassword -Text 'secure text')
        Set-VaultKey -Vault $vault -Name 'script/bytes' -Value ([byte[]](1, 2, 3))
        Set-VaultKey -Vault $vault -Name 'script/credential' -Value ([pscredential]::new('svc-user', (New-TestPassword -Text 'old password')))
        Set-VaultKey -Vault $vault -Name 'script/hashtable' -Value @{ Token = 'old token'; Port = 'old port' }
        foreach ($name in 'pipe/one', 'pipe/two') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
        Set-VaultKey -Vault $vault -Name 'what-if' -Value 'unchanged'
        Set-VaultKey -Vault $vault -Name 'shared/read' -Value 'shared value'
        Set-VaultKey -Vault $vault -Name 'shared/rotate' -Value 'rotate only'
        Grant-VaultAccess -Vault $vault -Name 'shared/read' -Principal 'vera' -Permission Read
        Grant-VaultAccess -Vault $vault -Name 'shared/rotate' -Principal 'bob' -Permission Rotate

        # Due after 1 second, blocked 1 second later.
        foreach ($name in 'blocked/value', 'blocked/script') {
            Set-VaultKey -Vault $vault -Name $name -Value "old value of $name"
            Set-VaultRotationPolicy -Vault $vault -Name $name -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace ([timespan]::FromSeconds(1))
        }
        Start-Sleep -Seconds 2.5
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Value' {
        It 'writes a new version and nothing to the pipeline' {
            Update-VaultKey -Vault $vault -Name 'value/one' -Value 'second' | Should -BeNullOrEmpty
            Get-VaultKey -Vault $vault -Name 'value/one' -AsPlainText | Should -BeExactly 'second'
            (Get-VaultKeyInfo -Vault $vault -Name 'value/one').Versions -join ',' | Should -Be '1,2'
        }

        It 'returns the key information with -PassThru' {
            $info = Update-VaultKey -Vault $vault -Name 'value/one' -Value 'third' -PassThru
            $info.GetType().FullName | Should -Be 'SecureVault.VaultKeyInfo'
            $info.Name | Should -Be 'value/one'
            $info.Version | Should -Be 3
        }

        It 'takes the name and the value as positional arguments, and finds the key without regard to case' {
            Update-VaultKey 'VALUE/ONE' 'fourth' -Vault $vault
            Get-VaultKey -Vault $vault -Name 'value/one' -AsPlainText | Should -BeExactly 'fourth'
        }

        It 'keeps the previous version readable with -Version' {
            Get-VaultKey -Vault $vault -Name 'value/one' -Version 3 -AsPlainText | Should -BeExactly 'third'
        }

        It 'refuses -Value together with -ScriptBlock' {
            { Update-VaultKey -Vault $vault -Name 'value/one' -Value 'x' -ScriptBlock { 'y' } } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }
    }

    Context 'with -ScriptBlock' {
        It 'gives the current text as a SecureString in $_ and $args[0], the name in $args[1], and stores what it returns' {
            $seen = @{}
            Update-VaultKey -Vault $vault -Name 'script/string' -ScriptBlock {
                $seen.Underscore = $_
                $seen.First = $args[0]
                $seen.Name = $args[1]
                (ConvertTo-PlainText -SecureString $_) + ', rotated'
            }
            $seen.Underscore | Should -BeOfType ([securestring])
            $seen.First | Should -BeOfType ([securestring])
            $seen.Name | Should -BeExactly 'script/string'
            Get-VaultKey -Vault $vault -Name 'script/string' -AsPlainText | Should -BeExactly 'plain text, rotated'
        }

        It 'takes the value and the name as named parameters of the script block' {
            Update-VaultKey -Vault $vault -Name 'script/params' -ScriptBlock {
                param($Current, $Name)
                "$Name was " + (ConvertTo-PlainText -SecureString $Current)
            }
            Get-VaultKey -Vault $vault -Name 'script/params' -AsPlainText | Should -BeExactly 'script/params was by parameter'
        }

        It 'keeps a String key a String when the script block returns a SecureString, and the other way round' {
            Update-VaultKey -Vault $vault -Name 'script/string' -ScriptBlock { New-TestPassword -Text 'secure now' }
            (Get-VaultKeyInfo -Vault $vault -Name 'script/string').Type.ToString() | Should -Be 'String'
            Get-VaultKey -Vault $vault -Name 'script/string' -AsPlainText | Should -BeExactly 'secure now'
            Update-VaultKey -Vault $vault -Name 'script/securestring' -ScriptBlock { 'plain now' }
            (Get-VaultKeyInfo -Vault $vault -Name 'script/securestring').Type.ToString() | Should -Be 'SecureString'
        }

        It 'gives a byte array as a byte array, and stores a byte array returned without the comma operator' {
            $seen = @{}
            Update-VaultKey -Vault $vault -Name 'script/bytes' -ScriptBlock {
                $seen.Type = $_.GetType().FullName
                [byte[]] ($_ | ForEach-Object { $_ * 2 })
            }
            $seen.Type | Should -Be 'System.Byte[]'
            (Get-VaultKey -Vault $vault -Name 'script/bytes') -join ',' | Should -Be '2,4,6'
        }

        It 'gives a credential as a PSCredential' {
            Update-VaultKey -Vault $vault -Name 'script/credential' -ScriptBlock {
                [pscredential]::new($_.UserName, (New-TestPassword -Text 'new password'))
            }
            $value = Get-VaultKey -Vault $vault -Name 'script/credential'
            $value.UserName | Should -BeExactly 'svc-user'
            ConvertTo-PlainText -SecureString $value.Password | Should -BeExactly 'new password'
        }

        It 'gives a hashtable with its text entries as SecureStrings' {
            Update-VaultKey -Vault $vault -Name 'script/hashtable' -ScriptBlock {
                $_['Token'] | Should -BeOfType ([securestring])
                @{ Token = 'new token'; Port = (ConvertTo-PlainText -SecureString $_['Port']) }
            }
            $value = Get-VaultKey -Vault $vault -Name 'script/hashtable' -AsPlainText
            $value['Token'] | Should -BeExactly 'new token'
            $value['Port'] | Should -BeExactly 'old port'
        }

        It 'rotates every key piped from Get-VaultKeyInfo, each with its own name' {
            Get-VaultKeyInfo -Vault $vault -Name 'pipe/*' | Update-VaultKey -ScriptBlock { "new value of $($args[1])" }
            Get-VaultKey -Vault $vault -Name 'pipe/one' -AsPlainText | Should -BeExactly 'new value of pipe/one'
            Get-VaultKey -Vault $vault -Name 'pipe/two' -AsPlainText | Should -BeExactly 'new value of pipe/two'
        }
    }

    Context 'when the script block fails' {
        BeforeAll {
            $currentText = 'current-' + [guid]::NewGuid().ToString('n')
            $attemptText = 'attempt-' + [guid]::NewGuid().ToString('n')
            Set-VaultKey -Vault $vault -Name 'failing' -Value $currentText
        }

        It 'fails with RotationFailed, carrying the script block''s own error, when it throws' {
            $record = $null
            try {
                Update-VaultKey -Vault $vault -Name 'failing' -ScriptBlock { throw [System.TimeoutException]::new('the upstream did not answer') } -ErrorAction Stop
            }
            catch {
                $record = $_
            }
            $record.FullyQualifiedErrorId | Should -BeLike 'RotationFailed,*'
            $record.CategoryInfo.Category | Should -Be 'InvalidResult'
            $causes = @()
            for ($inner = $record.Exception.InnerException; $inner; $inner = $inner.InnerException) {
                $causes += $inner.GetType().FullName
            }
            $causes | Should -Contain 'System.TimeoutException'
        }

        It 'fails with RotationFailed when the script block writes an error, even one that would not stop it' {
            { Update-VaultKey -Vault $vault -Name 'failing' -ScriptBlock { Write-Error 'half failed'; 'new value' } -ErrorAction Stop } | Should -Throw -ErrorId 'RotationFailed*'
        }

        It 'fails with RotationFailed when the script block returns nothing' {
            { Update-VaultKey -Vault $vault -Name 'failing' -ScriptBlock { } -ErrorAction Stop } | Should -Throw -ErrorId 'RotationFailed*'
        }

        It 'fails with RotationFailed when the script block returns two objects' {
            { Update-VaultKey -Vault $vault -Name 'failing' -ScriptBlock { 'one'; 'two' } -ErrorAction Stop } | Should -Throw -ErrorId 'RotationFailed*'
        }

        It 'changes nothing' {
            (Get-VaultKeyInfo -Vault $vault -Name 'failing').Version | Should -Be 1
            Get-VaultKey -Vault $vault -Name 'failing' -AsPlainText | Should -BeExactly $currentText
        }

        It 'shows neither the current value nor the one the script block made in the error' {
            $record = $null
            try {
                Update-VaultKey -Vault $vault -Name 'failing' -ScriptBlock { $attemptText; $attemptText } -ErrorAction Stop
            }
            catch {
                $record = $_
            }
            $record.FullyQualifiedErrorId | Should -BeLike 'RotationFailed,*'
            $text = Get-ErrorText -ErrorRecord $record
            $text.Contains($currentText) | Should -BeFalse
            $text.Contains($attemptText) | Should -BeFalse
        }

        It 'records every attempt as a get of the current value and a failed rotate' {
            $records = @(Get-VaultAuditLog -Vault $vault -Name 'failing' -Action 'rotate')
            $records.Count | Should -Be 5
            $records.Outcome | Sort-Object -Unique | Should -Be 'error'
            $records.Reason | Sort-Object -Unique | Should -Be 'RotationFailed'
            @(Get-VaultAuditLog -Vault $vault -Name 'failing' -Action 'get' -Outcome success).Count | Should -BeGreaterOrEqual 5
        }
    }

    Context 'on a Blocked key' {
        It 'refuses to read the key before (KeyExpired)' {
            { Get-VaultKey -Vault $vault -Name 'blocked/value' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyExpired*'
        }

        It 'rotates it with -Value, which starts its rotation clock again' {
            $before = [datetime]::UtcNow.AddSeconds(-1)
            Update-VaultKey -Vault $vault -Name 'blocked/value' -Value 'fresh value'
            $status = Get-VaultRotationStatus -Vault $vault -Name 'blocked/value'
            $status.Version | Should -Be 2
            $status.LastRotated | Should -BeGreaterOrEqual $before
            # Back to a long policy, so the 1-second one cannot block the key again before it is read.
            Set-VaultRotationPolicy -Vault $vault -Name 'blocked/value' -MaxAge 30
            Get-VaultKey -Vault $vault -Name 'blocked/value' -AsPlainText | Should -BeExactly 'fresh value'
        }

        It 'rotates it with -ScriptBlock, which gets the blocked value' {
            Update-VaultKey -Vault $vault -Name 'blocked/script' -ScriptBlock { (ConvertTo-PlainText -SecureString $_) + ', rotated' }
            Set-VaultRotationPolicy -Vault $vault -Name 'blocked/script' -MaxAge 30
            Get-VaultKey -Vault $vault -Name 'blocked/script' -AsPlainText | Should -BeExactly 'old value of blocked/script, rotated'
        }
    }

    Context 'when the key does not exist' {
        It 'fails with KeyNotFound and creates nothing' {
            { Update-VaultKey -Vault $vault -Name 'never/written' -Value 'x' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
            { Update-VaultKey -Vault $vault -Name 'never/written' -ScriptBlock { 'x' } -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
            { Get-VaultKeyInfo -Vault $vault -Name 'never/written' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'with -WhatIf' {
        It 'changes nothing and does not run the script block' {
            $ran = @{ Count = 0 }
            Update-VaultKey -Vault $vault -Name 'what-if' -Value 'changed' -WhatIf
            Update-VaultKey -Vault $vault -Name 'what-if' -ScriptBlock { $ran.Count++; 'changed' } -WhatIf
            $ran.Count | Should -Be 0
            (Get-VaultKeyInfo -Vault $vault -Name 'what-if').Version | Should -Be 1
            Get-VaultKey -Vault $vault -Name 'what-if' -AsPlainText | Should -BeExactly 'unchanged'
        }
    }

    Context 'in the audit log' {
        It 'records a rotation with -Value as rotate' {
            $before = @(Get-VaultAuditLog -Vault $vault -Name 'value/one' -Action 'rotate' -Outcome success).Count
            Update-VaultKey -Vault $vault -Name 'value/one' -Value 'audited'
            @(Get-VaultAuditLog -Vault $vault -Name 'value/one' -Action 'rotate' -Outcome success).Count | Should -Be ($before + 1)
        }

        It 'records a rotation with -ScriptBlock as a get of the current value, then rotate' {
            Update-VaultKey -Vault $vault -Name 'value/one' -ScriptBlock { 'audited by script' }
            $records = @(Get-VaultAuditLog -Vault $vault -Name 'value/one' -Last 2)
            $records.Action -join ',' | Should -Be 'get,rotate'
            $records.Outcome -join ',' | Should -Be 'success,success'
            $records[1].Principal | Should -Be 'owner'
        }
    }

    Context 'as a Viewer that may read the key' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'vera' -Password $userPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied with -Value and with -ScriptBlock, and changes nothing' {
            { Update-VaultKey -Vault $vault -Name 'shared/read' -Value 'viewer value' -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            { Update-VaultKey -Vault $vault -Name 'shared/read' -ScriptBlock { 'viewer value' } -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            Get-VaultKey -Vault $vault -Name 'shared/read' -AsPlainText | Should -BeExactly 'shared value'
        }
    }

    Context 'as a User' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $userPassword
            Set-VaultKey -Vault $vault -Name 'bob/own' -Value 'bob first'
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'rotates its own key' {
            Update-VaultKey -Vault $vault -Name 'bob/own' -ScriptBlock { (ConvertTo-PlainText -SecureString $_) + ', then second' }
            Get-VaultKey -Vault $vault -Name 'bob/own' -AsPlainText | Should -BeExactly 'bob first, then second'
        }

        It 'fails with AccessDenied on a key of someone else without a grant' {
            { Update-VaultKey -Vault $vault -Name 'value/one' -Value 'bob was here' -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
        }

        It 'rotates with -Value a key it holds a Rotate grant for' {
            Update-VaultKey -Vault $vault -Name 'shared/rotate' -Value 'rotated by bob'
            (Get-VaultKeyInfo -Vault $vault -Name 'shared/rotate').Version | Should -Be 2
        }

        It 'fails with AccessDenied with -ScriptBlock on that key, which also needs Read' {
            { Update-VaultKey -Vault $vault -Name 'shared/rotate' -ScriptBlock { 'from the script' } -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultKeyInfo -Vault $vault -Name 'shared/rotate').Version | Should -Be 2
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
            { Update-VaultKey -Vault $vault -Name 'value/one' -Value 'locked' } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
