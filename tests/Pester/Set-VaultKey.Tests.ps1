BeforeDiscovery {
    # The terminal tests drive a real pwsh in a tmux pseudo-terminal.
    # In CI (.ci/run installs tmux) these tests never skip: a missing tmux fails them.
    $hasTmux = [bool](Get-Command -Name tmux -CommandType Application -ErrorAction Ignore) -or $env:CI -eq 'true'

    # Each supported PowerShell value and the type Get-VaultKeyInfo reports for it.
    $valueKinds = @(
        @{ Kind = 'String'; StoredType = 'String' }
        @{ Kind = 'SecureString'; StoredType = 'SecureString' }
        @{ Kind = 'Bytes'; StoredType = 'ByteArray' }
        @{ Kind = 'Credential'; StoredType = 'Credential' }
        @{ Kind = 'Hashtable'; StoredType = 'Hashtable' }
    )

    # Input that must be refused before anything is stored.
    $invalidInput = @(
        @{ Case = 'a value of an unsupported type'; Name = 'bad/number'; Value = 42 }
        @{ Case = 'a hashtable inside a hashtable'; Name = 'bad/nested'; Value = @{ Outer = @{ Inner = 'x' } } }
        @{ Case = 'a value larger than 1 MiB'; Name = 'bad/large'; Value = [byte[]]::new(1MB + 1) }
        @{ Case = 'a name longer than 256 characters'; Name = ('n' * 257); Value = 'x' }
        @{ Case = 'a name with a control character'; Name = "bad`tname"; Value = 'x' }
        @{ Case = 'a name of white space only'; Name = '   '; Value = 'x' }
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Set-VaultKey' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'set.vault'
        $null = New-TestVault -Path $vault -Password $password
        $values = @{
            String       = 'plain text value'
            SecureString = New-TestPassword -Text 'secure text value'
            Bytes        = [byte[]](0, 1, 2, 254, 255)
            Credential   = [pscredential]::new('svc-user', (New-TestPassword -Text 'credential password'))
            Hashtable    = @{ Text = 'entry text'; Bytes = [byte[]](7, 8, 9) }
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with each supported value type' {
        It 'stores a <Kind> value as type <StoredType>' -ForEach $valueKinds {
            Set-VaultKey -Vault $vault -Name "type/$Kind" -Value $values[$Kind]
            (Get-VaultKeyInfo -Vault $vault -Name "type/$Kind").Type.ToString() | Should -Be $StoredType
        }

        It 'writes nothing without -PassThru' {
            $output = Set-VaultKey -Vault $vault -Name 'quiet' -Value 'value'
            $output | Should -BeNullOrEmpty
        }
    }

    Context 'when a key is written again' {
        It 'adds a version on every write' {
            Set-VaultKey -Vault $vault -Name 'versions/three' -Value 'one'
            Set-VaultKey -Vault $vault -Name 'versions/three' -Value 'two'
            $info = Set-VaultKey -Vault $vault -Name 'versions/three' -Value 'three' -PassThru
            $info.Version | Should -Be 3
            $info.Versions -join ',' | Should -Be '1,2,3'
        }

        It 'keeps only the last 10 versions' {
            foreach ($round in 1..12) {
                Set-VaultKey -Vault $vault -Name 'versions/twelve' -Value "value $round"
            }
            $info = Get-VaultKeyInfo -Vault $vault -Name 'versions/twelve'
            $info.Version | Should -Be 12
            $info.Versions -join ',' | Should -Be '3,4,5,6,7,8,9,10,11,12'
        }

        It 'may change the value type from one version to the next' {
            Set-VaultKey -Vault $vault -Name 'versions/retyped' -Value 'text first'
            $info = Set-VaultKey -Vault $vault -Name 'versions/retyped' -Value ([byte[]](1, 2)) -PassThru
            $info.Type.ToString() | Should -Be 'ByteArray'
        }

        It 'treats names that differ only in case as the same key' {
            Set-VaultKey -Vault $vault -Name 'Case/Key' -Value 'first'
            $info = Set-VaultKey -Vault $vault -Name 'case/KEY' -Value 'second' -PassThru
            $info.Version | Should -Be 2
            $info.Name | Should -BeExactly 'Case/Key'
            @(Get-VaultKeyInfo -Vault $vault -Name 'case/*').Count | Should -Be 1
        }

        It 'keeps tags, service and description that are not given again' {
            Set-VaultKey -Vault $vault -Name 'meta/kept' -Value 'one' -Tag 'ci', 'prod' -Service 'api.example.com' -Description 'Deploy key'
            $info = Set-VaultKey -Vault $vault -Name 'meta/kept' -Value 'two' -PassThru
            $info.Tags -join ',' | Should -Be 'ci,prod'
            $info.Service | Should -Be 'api.example.com'
            $info.Description | Should -Be 'Deploy key'
        }

        It 'replaces the tags and clears service and description given as empty strings' {
            Set-VaultKey -Vault $vault -Name 'meta/changed' -Value 'one' -Tag 'old' -Service 'svc' -Description 'text'
            $info = Set-VaultKey -Vault $vault -Name 'meta/changed' -Value 'two' -Tag 'new' -Service '' -Description '' -PassThru
            $info.Tags -join ',' | Should -Be 'new'
            $info.Service | Should -BeNullOrEmpty
            $info.Description | Should -BeNullOrEmpty
        }
    }

    Context 'with -PassThru' {
        BeforeAll {
            $secretText = 'pass-thru secret text'
            $info = Set-VaultKey -Vault $vault -Name 'passthru/key' -Value $secretText -Tag 'a' -Service 'svc' -PassThru
        }

        It 'returns one VaultKeyInfo object for the key' {
            @($info).Count | Should -Be 1
            $info.GetType().FullName | Should -Be 'SecureVault.VaultKeyInfo'
            $info.Name | Should -Be 'passthru/key'
            $info.Version | Should -Be 1
            $info.Vault | Should -Be $vault
        }

        It 'never carries the value' {
            foreach ($property in $info.PSObject.Properties) {
                [string] $property.Value | Should -Not -BeLike "*$secretText*"
            }
        }
    }

    Context 'with pipeline input' {
        It 'binds Name, Value, Tag and Service by property name' {
            $items = @(
                [pscustomobject]@{ Name = 'piped/one'; Value = 'first'; Tag = 'piped'; Service = 'svc-one' }
                [pscustomobject]@{ Name = 'piped/two'; Value = 'second'; Tag = 'piped'; Service = 'svc-two' }
            )
            $infos = $items | Set-VaultKey -Vault $vault -PassThru
            @($infos).Count | Should -Be 2
            (Get-VaultKeyInfo -Vault $vault -Tag 'piped').Name -join ',' | Should -Be 'piped/one,piped/two'
            (Get-VaultKeyInfo -Vault $vault -Name 'piped/two').Service | Should -Be 'svc-two'
            Get-VaultKey -Vault $vault -Name 'piped/two' -AsPlainText | Should -BeExactly 'second'
        }

        It 'accepts a Secret property in place of Value' {
            [pscustomobject]@{ Name = 'piped/alias'; Secret = 'aliased value' } | Set-VaultKey -Vault $vault
            Get-VaultKey -Vault $vault -Name 'piped/alias' -AsPlainText | Should -BeExactly 'aliased value'
        }
    }

    Context 'with -WhatIf' {
        It 'stores nothing' {
            Set-VaultKey -Vault $vault -Name 'what-if/key' -Value 'value' -WhatIf
            { Get-VaultKeyInfo -Vault $vault -Name 'what-if/key' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'with invalid input' {
        It 'refuses <Case> with InvalidInput' -ForEach $invalidInput {
            { Set-VaultKey -Vault $vault -Name $Name -Value $Value -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses more than 32 tags with InvalidInput' {
            $tags = 1..33 | ForEach-Object { "tag$_" }
            { Set-VaultKey -Vault $vault -Name 'bad/tags' -Value 'x' -Tag $tags -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'stores nothing for a refused value' {
            Set-VaultKey -Vault $vault -Name 'bad/refused' -Value 42 -ErrorAction SilentlyContinue
            Get-VaultKeyInfo -Vault $vault -Name 'bad/*' | Should -BeNullOrEmpty
        }

        It 'writes one error for a bad pipeline item and stores the others' {
            $items = @(
                [pscustomobject]@{ Name = 'mixed/good-1'; Value = 'a' }
                [pscustomobject]@{ Name = 'mixed/bad'; Value = 42 }
                [pscustomobject]@{ Name = 'mixed/good-2'; Value = 'b' }
            )
            $items | Set-VaultKey -Vault $vault -ErrorVariable failures -ErrorAction SilentlyContinue
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidInput,*'
            $failures[0].TargetObject | Should -Be 'mixed/bad'
            (Get-VaultKeyInfo -Vault $vault -Name 'mixed/*').Name -join ',' | Should -Be 'mixed/good-1,mixed/good-2'
        }
    }

    Context 'without -Value, in a terminal' -Skip:(-not $hasTmux) {
        # A real pwsh in a pseudo-terminal: what it shows is exactly what a user at a console sees.
        BeforeAll {
            $terminalVault = Join-Path -Path $TestDrive -ChildPath 'terminal.vault'
            $typed = @{
                Password = 'terminal password 4711'
                Value    = 'terminal-value-4711'
                NewValue = 'terminal-new-value-4711'
            }
            $scriptPath = Join-Path -Path $TestDrive -ChildPath 'terminal.ps1'
            Set-Content -LiteralPath $scriptPath -Value @"
Import-Module -Name '$((Get-Module -Name SecureVault).Path -replace "'", "''")'
`$env:SECUREVAULT_HOME = '$($TestDrive -replace "'", "''")'
`$null = New-Vault -Vault '$terminalVault' -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
Set-VaultKey -Vault '$terminalVault' -Name 'terminal/key'
'stored as ' + (Get-VaultKeyInfo -Vault '$terminalVault' -Name 'terminal/key').Type
Update-VaultKey -Vault '$terminalVault' -Name 'terminal/key' -Confirm:`$false
'version ' + (Get-VaultKeyInfo -Vault '$terminalVault' -Name 'terminal/key').Version
Lock-Vault -Vault '$terminalVault'
`$null = Read-Host 'finished'
"@
            $socket = Start-TestTerminal -ScriptPath $scriptPath
            try {
                $null = Wait-TestTerminalText -Socket $socket -Text 'Password: '
                Send-TestTerminalLine -Socket $socket -Text $typed.Password
                $null = Wait-TestTerminalText -Socket $socket -Text "Value for key 'terminal/key': "
                Send-TestTerminalLine -Socket $socket -Text $typed.Value
                $null = Wait-TestTerminalText -Socket $socket -Text "New value for key 'terminal/key': "
                Send-TestTerminalLine -Socket $socket -Text $typed.NewValue
                $screen = Wait-TestTerminalText -Socket $socket -Text 'finished'
            }
            finally {
                Stop-TestTerminal -Socket $socket
            }
        }

        It 'asks for the value with a label and stores it as a SecureString' {
            $screen | Should -Match "Value for key 'terminal/key': \*+"
            $screen | Should -Match 'stored as SecureString'
        }

        It 'never shows a typed password or value' {
            foreach ($text in $typed.Values) {
                $screen | Should -Not -Match ([regex]::Escape($text))
            }
        }

        It 'stores exactly what was typed' {
            Unlock-Vault -Vault $terminalVault -Password (New-TestPassword -Text $typed.Password)
            Get-VaultKey -Vault $terminalVault -Name 'terminal/key' -AsPlainText | Should -BeExactly $typed.NewValue
            Get-VaultKey -Vault $terminalVault -Name 'terminal/key' -Version 1 -AsPlainText | Should -BeExactly $typed.Value
            Lock-Vault -Vault $terminalVault
        }
    }

    Context 'without -Value, where nobody can be asked' {
        It 'refuses in pwsh -NonInteractive with InvalidInput that says to pass -Value, and stores nothing' {
            $resultPath = Join-Path -Path $TestDrive -ChildPath 'noninteractive.txt'
            $scriptPath = Join-Path -Path $TestDrive -ChildPath 'noninteractive.ps1'
            Set-Content -LiteralPath $scriptPath -Value @'
param([string] $Manifest, [string] $Vault, [string] $ResultPath)
Import-Module -Name $Manifest
$password = ConvertTo-SecureString -String 'correct horse battery staple' -AsPlainText -Force
$null = New-Vault -Vault $Vault -Password $password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
$lines = @()
Set-VaultKey -Vault $Vault -Name 'noninteractive/key' -ErrorAction SilentlyContinue -ErrorVariable failures
$lines += @($failures | ForEach-Object { $_.FullyQualifiedErrorId + '|' + $_.ToString() })
$lines += 'keys: ' + @(Get-VaultKeyInfo -Vault $Vault).Count
$lines | Set-Content -LiteralPath $ResultPath
'@
            $childVault = Join-Path -Path $TestDrive -ChildPath 'noninteractive.vault'
            $exitCode = Invoke-TestPwsh -ScriptPath $scriptPath -ArgumentList (Get-Module -Name SecureVault).Path, $childVault, $resultPath -Environment @{ SECUREVAULT_HOME = $TestDrive }
            $exitCode | Should -Be 0
            $lines = @(Get-Content -LiteralPath $resultPath)
            $lines.Count | Should -Be 2
            $lines[0] | Should -BeLike 'InvalidInput,*pass -Value*'
            $lines[1] | Should -Be 'keys: 0'
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        It 'fails with VaultLocked' {
            { Set-VaultKey -Vault $vault -Name 'locked/key' -Value 'value' } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
