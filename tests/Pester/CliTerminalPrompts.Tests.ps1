# The securevault CLI at a real terminal: every secret it asks for (init, set, get, passwd) is read
# without echo. The CLI runs in a tmux pseudo-terminal, typed into as a person would, and the test
# reads back exactly what the terminal shows. Skipped where tmux is not installed.

BeforeDiscovery {
    # In CI (.ci/run installs tmux) these tests never skip: a missing tmux fails them.
    $hasTmux = [bool](Get-Command -Name tmux -CommandType Application -ErrorAction Ignore) -or $env:CI -eq 'true'
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'securevault at a terminal' -Skip:(-not $hasTmux) {
    BeforeAll {
        $cli = Join-Path -Path $PSScriptRoot -ChildPath '../../out/cli/securevault.dll'
        if (-not (Test-Path -LiteralPath $cli)) {
            throw "The CLI was not found at '$cli'. Build it first (./build.sh)."
        }
        $cli = (Resolve-Path -LiteralPath $cli).ProviderPath
        $dotnet = if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::ProcessPath } else { 'dotnet' }
        $typed = @{
            Password    = 'terminal cli password 4711'
            Value       = 'terminal-cli-value-0815'
            NewPassword = 'terminal cli new password 4711'
        }
        $cliHome = Join-Path -Path $TestDrive -ChildPath 'cli-home'
        $null = New-Item -ItemType Directory -Path $cliHome
        $scriptPath = Join-Path -Path $TestDrive -ChildPath 'cli-terminal.ps1'
        $raceFlag = Join-Path -Path $TestDrive -ChildPath 'race-start'
        # Types the new password (and Enter) the instant the prompt appears, quicker than a person can:
        # tmux pipes the pane's output into it and what it prints into the pane as typed input.
        $responder = Join-Path -Path $TestDrive -ChildPath 'type-at-prompt.sh'
        Set-Content -LiteralPath $responder -Value @"
while IFS= read -r -d ':' part; do
    case "`$part" in *'Password for vault'*) printf '%s\r' '$($typed.NewPassword)'; exit 0 ;; esac
done
"@
        # Each step prints a marker when it ends, so the test types only once the prompt is up.
        Set-Content -LiteralPath $scriptPath -Value @"
`$env:SECUREVAULT_HOME = '$($cliHome -replace "'", "''")'
`$env:SECUREVAULT_VAULT = `$null
`$env:SECUREVAULT_PASSWORD_FILE = `$null
`$cli = @('$($dotnet -replace "'", "''")', '$($cli -replace "'", "''")')
& `$cli[0] `$cli[1] init --kdf-memory-mib 1 --kdf-iterations 1 --kdf-parallelism 1
'--- init ' + `$LASTEXITCODE
& `$cli[0] `$cli[1] set terminal/key
'--- set ' + `$LASTEXITCODE
& `$cli[0] `$cli[1] passwd
'--- passwd ' + `$LASTEXITCODE
`$value = & `$cli[0] `$cli[1] get terminal/key
'--- get ' + `$LASTEXITCODE + ' ' + (`$value -ceq '$($typed.Value)')
'--- race ready'
while (-not (Test-Path -LiteralPath '$($raceFlag -replace "'", "''")')) { Start-Sleep -Milliseconds 100 }
`$value = & `$cli[0] `$cli[1] get terminal/key
'--- race get ' + `$LASTEXITCODE + ' ' + (`$value -ceq '$($typed.Value)')
`$null = Read-Host 'finished'
"@
        $socket = Start-TestTerminal -ScriptPath $scriptPath
        try {
            # init: the new password, twice.
            $null = Wait-TestTerminalText -Socket $socket -Text 'New password for vault'
            Send-TestTerminalLine -Socket $socket -Text $typed.Password
            $null = Wait-TestTerminalText -Socket $socket -Text 'Repeat it: '
            Send-TestTerminalLine -Socket $socket -Text $typed.Password
            # set: the password, then the value.
            $null = Wait-TestTerminalText -Socket $socket -Text 'Password for vault' -After '--- init'
            Send-TestTerminalLine -Socket $socket -Text $typed.Password
            $null = Wait-TestTerminalText -Socket $socket -Text "Value for 'terminal/key': " -After '--- init'
            Send-TestTerminalLine -Socket $socket -Text $typed.Value
            # passwd: the current password, then the new one twice.
            $null = Wait-TestTerminalText -Socket $socket -Text 'Password for vault' -After '--- set'
            Send-TestTerminalLine -Socket $socket -Text $typed.Password
            $null = Wait-TestTerminalText -Socket $socket -Text 'New password: ' -After '--- set'
            Send-TestTerminalLine -Socket $socket -Text $typed.NewPassword
            $null = Wait-TestTerminalText -Socket $socket -Text 'Repeat it: ' -After '--- set'
            Send-TestTerminalLine -Socket $socket -Text $typed.NewPassword
            # get: the new password.
            $null = Wait-TestTerminalText -Socket $socket -Text 'Password for vault' -After '--- passwd'
            Send-TestTerminalLine -Socket $socket -Text $typed.NewPassword
            # get again, the password typed by the responder right as the prompt is written.
            $null = Wait-TestTerminalText -Socket $socket -Text '--- race ready'
            & tmux -L $socket pipe-pane -I -O "bash '$($responder -replace "'", "'\''")'"
            $null = New-Item -ItemType File -Path $raceFlag
            $screen = Wait-TestTerminalText -Socket $socket -Text 'finished'
        }
        finally {
            Stop-TestTerminal -Socket $socket
        }
    }

    It 'runs init, set, passwd and get to success' {
        $screen | Should -Match '--- init 0'
        $screen | Should -Match '--- set 0'
        $screen | Should -Match '--- passwd 0'
        $screen | Should -Match '--- get 0 True'
    }

    It 'shows no password typed the instant the prompt appears' {
        # .NET's Console.ReadKey turns echo off only while it waits, so the terminal echoed what came
        # before the first call; the prompt has to turn echo off before it is written.
        $race = $screen.Substring($screen.LastIndexOf('--- race ready'))
        $race | Should -Match '--- race get 0 True'
        $race | Should -Not -Match ([regex]::Escape($typed.NewPassword))
    }

    It 'never shows a typed password or value' {
        foreach ($text in $typed.Values) {
            $screen | Should -Not -Match ([regex]::Escape($text))
        }
    }
}
