using System.CommandLine;
using SecureVault.Cli.Input;
using SecureVault.Crypto;

namespace SecureVault.Cli.Commands;

/// <summary><c>securevault init</c>: creates a vault with one principal (the owner, an Admin) and a password keyslot.</summary>
internal sealed class InitCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<int?> _memory = new("--kdf-memory-mib")
    {
        Description = $"Argon2id memory in MiB (default {KdfParameters.Default.MemoryKiB / 1024}).",
        HelpName = "MiB",
    };

    private readonly Option<int?> _iterations = new("--kdf-iterations")
    {
        Description = $"Argon2id passes over memory (default {KdfParameters.Default.Iterations}).",
        HelpName = "N",
    };

    private readonly Option<int?> _parallelism = new("--kdf-parallelism")
    {
        Description = $"Argon2id lanes (default {KdfParameters.Default.Parallelism}).",
        HelpName = "N",
    };

    public override Command Build() => Define("init", "Create a vault protected by a password.", _memory, _iterations, _parallelism);

    protected override int Execute(ParseResult parse)
    {
        var engine = Common.Open(parse);
        // Everything that can be checked without the password is checked before asking for it.
        var kdf = Kdf(parse);
        if (engine.Exists) throw new VaultAlreadyExistsException(engine.Vault) { Target = engine.Vault };
        using (var password = Common.Passwords(parse).Initial(engine.Vault))
        {
            engine.Create(password.ReadOnlySpan, parse.GetValue(Common.Principal), kdf);
        }
        engine.Lock();
        Terminal.Inform($"Created vault {engine.Vault}.");
        return ExitCodes.Ok;
    }

    /// <summary>The KDF parameters asked for (unset ones keep their default), or null for all defaults.</summary>
    private KdfParameters? Kdf(ParseResult parse)
    {
        int? memoryMiB = parse.GetValue(_memory), iterations = parse.GetValue(_iterations), parallelism = parse.GetValue(_parallelism);
        if (memoryMiB is null && iterations is null && parallelism is null) return null;
        var defaults = KdfParameters.Default;
        // Clamped, not wrapped: an absurd MiB figure must fail validation, not overflow into a small one.
        int memoryKiB = memoryMiB is { } m ? (int)Math.Clamp(m * 1024L, int.MinValue, int.MaxValue) : defaults.MemoryKiB;
        return new KdfParameters(memoryKiB, iterations ?? defaults.Iterations, parallelism ?? defaults.Parallelism).Validated();
    }
}
