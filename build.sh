#!/usr/bin/env bash
# SecureVault build entry point for machines without pwsh (build.ps1 does the same with pwsh).
#   ./build.sh            build everything and assemble the module in out/SecureVault and the CLI in out/cli
#   ./build.sh test       build, then run every test suite; prints "N passed, N failed, N skipped" last
#   ./build.sh bench ...  build, then run the benchmark harness (arguments go to it, e.g. --quick)
#   ./build.sh demo       build, then store, read back and list a key in the default vault with the CLI
# CONFIGURATION (default Release) selects the build configuration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$(pwd)
config=${CONFIGURATION:-Release}
module="$root/out/SecureVault"
cli="$root/out/cli"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version() { sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props; }

stamp_manifest() { # source, destination: copy a manifest with the product version stamped in
  sed "s/ModuleVersion\( *\)= *'[^']*'/ModuleVersion\1= '$(version)'/" "$1" > "$2"
}

assemble_module() {
  rm -rf "$module"
  mkdir -p "$module/bin"
  # The engine and its dependencies (with their .deps.json and native libraries) go to bin/,
  # where only the module's own load context looks for them.
  dotnet publish src/SecureVault.Core -c "$config" -o "$module/bin" --nologo -v quiet
  cp "src/SecureVault.PowerShell/bin/$config/net8.0/SecureVault.PowerShell.dll" "$module/"
  cp module/SecureVault.format.ps1xml "$module/"
  [[ -d module/en-US ]] && cp -r module/en-US "$module/"
  mkdir -p "$module/SecureVault.Extension"
  for file in module/SecureVault.Extension/*; do
    case "$file" in
      *.psd1) stamp_manifest "$file" "$module/SecureVault.Extension/$(basename "$file")" ;;
      *) cp -r "$file" "$module/SecureVault.Extension/" ;;
    esac
  done
  stamp_manifest SecureVault.psd1 "$module/SecureVault.psd1"
  # PowerShell supplies System.Management.Automation; a copy in the module would shadow it.
  if find "$module" -name 'System.Management.Automation.dll' | grep -q .; then
    echo "build: System.Management.Automation.dll must not ship in the module folder" >&2
    exit 1
  fi
}

build() {
  dotnet build SecureVault.slnx -c "$config" --nologo -v quiet -clp:ErrorsOnly
  assemble_module
  rm -rf "$cli"
  dotnet publish src/SecureVault.Cli -c "$config" -o "$cli" --nologo -v quiet
  echo "build: module in out/SecureVault, CLI in out/cli (version $(version))"
}

summarize_trx() { # prints "N passed, N failed, N skipped" summed over the TRX files given
  awk '
    /<Counters / {
      for (i = 1; i <= NF; i++) {
        split($i, kv, "="); gsub(/[^0-9]/, "", kv[2])
        if (kv[1] == "passed") passed += kv[2]
        if (kv[1] == "failed" || kv[1] == "error" || kv[1] == "timeout" || kv[1] == "aborted") failed += kv[2]
        if (kv[1] == "notExecuted" || kv[1] == "inconclusive") skipped += kv[2]
      }
    }
    END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$@"
}

run_tests() {
  build
  local results="$root/out/test-results" status=0
  rm -rf "$results"
  # A hung test fails its assembly after 10 minutes instead of stalling CI.
  dotnet test SecureVault.slnx -c "$config" --no-build --nologo --logger trx --results-directory "$results" \
    --blame-hang-timeout 10m || status=$?
  if command -v pwsh >/dev/null 2>&1; then
    pwsh -NoProfile -File build.ps1 -Task Pester -NoBuild || status=1
  else
    echo "test: pwsh not found; Pester tests (tests/Pester) skipped here (they are parsed by a hosted test)."
  fi
  shopt -s nullglob
  local trx=("$results"/*.trx)
  if ((${#trx[@]} == 0)); then
    echo "0 passed, 1 failed, 0 skipped"
    return 1
  fi
  summarize_trx "${trx[@]}"
  return $status
}

demo() {
  build
  local sv=(dotnet "$cli/securevault.dll")
  local password
  if [[ -n ${SECUREVAULT_PASSWORD_FILE:-} ]]; then
    password=$(head -n 1 "$SECUREVAULT_PASSWORD_FILE")
  else
    read -rsp "Password for the default vault (new or existing): " password; echo
  fi
  if ! "${sv[@]}" status >/dev/null 2>&1; then
    echo "demo: creating the default vault"
    printf '%s\n' "$password" | "${sv[@]}" init --password-stdin
  fi
  printf '%s\n%s\n' "$password" "hello from SecureVault" | "${sv[@]}" set demo/greeting --password-stdin --tag demo --service example
  echo "demo: stored demo/greeting; reading it back:"
  printf '%s\n' "$password" | "${sv[@]}" get demo/greeting --password-stdin
  echo "demo: listing the vault:"
  printf '%s\n' "$password" | "${sv[@]}" list --password-stdin
  unset password
}

task=${1:-build}
[[ $# -gt 0 ]] && shift
case "$task" in
  build) build ;;
  test) run_tests ;;
  bench) build; dotnet run -c Release --project bench/SecureVault.Bench --no-launch-profile -- "$@" ;;
  demo) demo ;;
  *) echo "usage: ./build.sh [build|test|bench|demo]" >&2; exit 1 ;;
esac
