using System.Text;

namespace SecureVault.Cli.Tests;

/// <summary>
/// Password bytes that are not Unicode text (a surrogate written as UTF-8, a broken sequence) or
/// that hold U+FFFD are refused with exit code 6 at init and at unlock; "é" written precomposed or
/// with a combining accent is one password.
/// </summary>
public sealed class PasswordTextTests : IDisposable
{
    private const string Base = "correct horse battery staple ";
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    public static TheoryData<byte[]> NotAPasswordTail => new()
    {
        new byte[] { 0xED, 0xA0, 0x80 },   // U+D800 as if it were a character (CESU-8 / WTF-8)
        new byte[] { 0xED, 0xAF, 0xBF },   // U+DBFF
        new byte[] { 0xED, 0xB0, 0x80 },   // U+DC00
        new byte[] { 0xEF, 0xBF, 0xBD },   // U+FFFD
        new byte[] { 0xC3 },               // a sequence cut short
    };

    private static byte[] Line(byte[] tail) => [.. Encoding.UTF8.GetBytes(Base), .. tail, (byte)'\n'];

    [Theory]
    [MemberData(nameof(NotAPasswordTail))]
    public async Task Init_refuses_the_password_with_exit_code_6_and_creates_nothing(byte[] tail)
    {
        var result = await _box.Run(Line(tail), ["init", "--password-stdin", .. CliSandbox.CheapKdf]);
        CliSandbox.Failed(result, ExitCode.InvalidInput);
        Assert.False(File.Exists(_box.VaultPath));
    }

    [Theory]
    [MemberData(nameof(NotAPasswordTail))]
    public async Task Unlocking_with_the_password_fails_with_exit_code_6(byte[] tail)
    {
        await _box.Init();
        CliSandbox.Failed(await _box.Run(Line(tail), "list", "--password-stdin"), ExitCode.InvalidInput);
    }

    [Fact]
    public async Task A_precomposed_and_a_decomposed_accent_are_the_same_password()
    {
        CliSandbox.Succeeded(await _box.Run(Base + "caf\u00E9\n", ["init", "--password-stdin", .. CliSandbox.CheapKdf]));
        CliSandbox.Succeeded(await _box.Run(Base + "cafe\u0301\n", "list", "--password-stdin"));
    }
}
