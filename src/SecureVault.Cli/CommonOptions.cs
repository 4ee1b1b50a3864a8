using System.CommandLine;
using SecureVault.Cli.Input;
using SecureVault.Identity;
using SecureVault.Storage;

namespace SecureVault.Cli;

/// <summary>
/// The options every command takes (<c>--vault</c>, <c>--principal</c>, <c>--password-stdin</c>)
/// and the one way commands open and unlock a vault with them.
/// </summary>
internal sealed class CommonOptions
{
    /// <summary>Which vault: a name (under SECUREVAULT_HOME) or a path; default SECUREVAULT_VAULT, else "default".</summary>
    public Option<string?> Vault { get; } = new("--vault")
    {
        Description = $"The vault: a name (stored under {VaultLocation.HomeVariable}) or a path. Default: {VaultLocation.VaultVariable}, else the vault named \"{VaultLocation.DefaultName}\".",
        HelpName = "name|path",
        Recursive = true,
    };

    /// <summary>The principal to create (init) or to authenticate as (every other command).</summary>
    public Option<string?> Principal { get; } = new("--principal")
    {
        Description = "The principal to create (init) or to authenticate as. Default: the vault's only principal, or the OS user name.",
        HelpName = "name",
        Recursive = true,
    };

    /// <summary>Read the password from the first line of stdin instead of a prompt.</summary>
    public Option<bool> PasswordStdin { get; } = new("--password-stdin")
    {
        Description = "Read the password from the first line of stdin (passwd: current on line 1, new on line 2; set: the value is the rest of stdin).",
        Recursive = true,
    };

    /// <summary>Unlock with a certificate (a PFX file with its private key and no PFX password).</summary>
    public Option<string?> Certificate { get; } = new("--certificate")
    {
        Description = "Unlock with this PFX file (certificate and private key, not password-protected; protect the file itself). "
            + "A password is used as well only when --password-stdin or " + PasswordInput.FileVariable + " gives one.",
        HelpName = "pfx",
        Recursive = true,
    };

    /// <summary>The current one-time code, for a principal with MFA on.</summary>
    public Option<string?> Totp { get; } = new("--totp")
    {
        Description = "The current 6-digit code from the authenticator app, for a principal with MFA on (each code works once).",
        HelpName = "code",
        Recursive = true,
    };

    /// <summary>Adds the options to the root command, from where every subcommand inherits them.</summary>
    public void AddTo(Command root)
    {
        root.Add(Vault);
        root.Add(Principal);
        root.Add(PasswordStdin);
        root.Add(Certificate);
        root.Add(Totp);
    }

    /// <summary>The engine for the vault the command line names (it may not exist yet).</summary>
    public VaultEngine Open(ParseResult parse) => VaultEngine.Open(parse.GetValue(Vault));

    /// <summary>The engine for an existing vault; a missing vault fails before any password is asked for.</summary>
    public VaultEngine OpenExisting(ParseResult parse)
    {
        var engine = Open(parse);
        if (!engine.Exists) throw new VaultNotFoundException(engine.Vault) { Target = engine.Vault };
        return engine;
    }

    /// <summary>The password sources this command line allows.</summary>
    public PasswordInput Passwords(ParseResult parse) => new(parse.GetValue(PasswordStdin));

    /// <summary>
    /// Opens the vault, unlocks it with a password (zeroized right after), runs
    /// <paramref name="work"/> and locks the vault again, whatever happens. Each invocation of
    /// the tool is its own short session.
    /// </summary>
    public T Unlocked<T>(ParseResult parse, Func<VaultEngine, T> work)
    {
        var engine = OpenExisting(parse);
        UnlockResult unlocked;
        var passwords = Passwords(parse);
        var pfx = parse.GetValue(Certificate);
        using (var certificate = pfx is null ? null : CertificateFiles.FromPfx(Path.GetFullPath(pfx)))
        {
            if (certificate != null && !passwords.IsGiven)
            {
                // A scheduled job: the certificate alone, no password prompt.
                unlocked = engine.UnlockWithCertificate(certificate, parse.GetValue(Principal));
            }
            else
            {
                using var password = passwords.Current(engine.Vault);
                unlocked = engine.Unlock(password.ReadOnlySpan, parse.GetValue(Principal), totp: parse.GetValue(Totp), certificate: certificate);
            }
        }
        // A vault that has gone backwards (an older copy, a rewritten log) still opens, but nobody may miss it.
        foreach (var warning in unlocked.Warnings) ErrorReporter.Warn(warning);
        try
        {
            return work(engine);
        }
        finally
        {
            engine.Lock();
        }
    }
}
