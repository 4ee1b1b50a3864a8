using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// How -Vault names and paths, SECUREVAULT_VAULT and SECUREVAULT_HOME resolve. These tests set
/// process environment variables, so they run alone and restore them afterwards.
/// </summary>
[Collection(ProcessWideState.Name)]
public sealed class LocationTests : IDisposable
{
    private readonly string? _savedHome = Environment.GetEnvironmentVariable(VaultLocation.HomeVariable);
    private readonly string? _savedVault = Environment.GetEnvironmentVariable(VaultLocation.VaultVariable);
    private readonly string _home = Directory.CreateTempSubdirectory("securevault-home-").FullName;

    public LocationTests()
    {
        Environment.SetEnvironmentVariable(VaultLocation.HomeVariable, _home);
        Environment.SetEnvironmentVariable(VaultLocation.VaultVariable, null);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(VaultLocation.HomeVariable, _savedHome);
        Environment.SetEnvironmentVariable(VaultLocation.VaultVariable, _savedVault);
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("/srv/vaults/team.vault", true)]
    [InlineData("relative/dir/team", true)]
    [InlineData(@"C:\vaults\team", true)]
    [InlineData("./team", true)]
    [InlineData("~/team", true)]
    [InlineData("team.vault", true)]
    [InlineData("team.VAULT", true)]
    [InlineData("team", false)]
    [InlineData("team-prod_2", false)]
    public void A_value_with_a_separator_a_leading_tilde_or_dot_or_the_extension_is_a_path(string vault, bool isPath)
    {
        Assert.Equal(isPath, VaultLocation.IsPath(vault));
    }

    [Fact]
    public void A_name_resolves_to_a_vault_file_in_the_data_folder()
    {
        Assert.Equal(Path.Combine(_home, "team.vault"), VaultLocation.Resolve("team"));
    }

    [Fact]
    public void Without_a_name_or_variable_the_vault_named_default_is_used()
    {
        Assert.Equal(Path.Combine(_home, "default.vault"), VaultLocation.Resolve(null));
        Assert.Equal(Path.Combine(_home, "default.vault"), VaultLocation.Resolve("  "));
    }

    [Fact]
    public void SECUREVAULT_VAULT_chooses_the_default_vault_by_name_or_path()
    {
        Environment.SetEnvironmentVariable(VaultLocation.VaultVariable, "ops");
        Assert.Equal(Path.Combine(_home, "ops.vault"), VaultLocation.Resolve(null));

        var path = Path.Combine(_home, "elsewhere", "x.vault");
        Environment.SetEnvironmentVariable(VaultLocation.VaultVariable, path);
        Assert.Equal(path, VaultLocation.Resolve(null));

        // An explicit argument wins over the variable.
        Assert.Equal(Path.Combine(_home, "named.vault"), VaultLocation.Resolve("named"));
    }

    [Fact]
    public void A_relative_path_resolves_against_the_current_folder_and_a_tilde_against_the_home_folder()
    {
        Assert.Equal(Path.GetFullPath("sub/x.vault"), VaultLocation.Resolve("sub/x.vault"));
        var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(profile, "vaults", "x.vault"), VaultLocation.Resolve("~/vaults/x.vault"));
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("semi;colon")]
    [InlineData("star*")]
    public void A_name_with_characters_outside_letters_digits_dash_and_underscore_is_refused(string name)
    {
        Assert.Throws<VaultInvalidInputException>(() => VaultLocation.Resolve(name));
    }

    [Fact]
    public void A_vault_opened_by_name_is_created_in_SECUREVAULT_HOME()
    {
        var engine = VaultEngine.Open("located");
        try
        {
            Assert.Equal(Path.Combine(_home, "located.vault"), engine.Vault);
            engine.Create(TestVault.Password, "owner", TestVault.CheapKdf);
            Assert.True(File.Exists(Path.Combine(_home, "located.vault")));
            Assert.True(VaultEngine.Open(Path.Combine(_home, "located.vault")).IsUnlocked);
        }
        finally
        {
            engine.Lock();
            VaultEngine.ForgetStore(engine.Vault);
        }
    }

    [Fact]
    public void The_data_folder_is_created_owner_only_when_the_first_vault_is_made()
    {
        var nested = Path.Combine(_home, "not", "yet");
        Environment.SetEnvironmentVariable(VaultLocation.HomeVariable, nested);
        var engine = VaultEngine.Open("first");
        try
        {
            engine.Create(TestVault.Password, "owner", TestVault.CheapKdf);
            Assert.True(Directory.Exists(nested));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(nested));
        }
        finally
        {
            engine.Lock();
            VaultEngine.ForgetStore(engine.Vault);
        }
    }
}
