using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureVault.Identity;

/// <summary>Loads a certificate with its private key from a PFX file or the Windows certificate store.</summary>
public static class CertificateFiles
{
    /// <summary>A PFX (PKCS #12) file; the caller disposes the certificate (it holds a private key).</summary>
    public static X509Certificate2 FromPfx(string path, SecureString? password = null)
    {
        try
        {
            // The PFX password stays a SecureString: this constructor takes one directly.
#pragma warning disable SYSLIB0057 // X509CertificateLoader has no SecureString overload
            return new X509Certificate2(path, password, X509KeyStorageFlags.EphemeralKeySet);
#pragma warning restore SYSLIB0057
        }
        catch (CryptographicException e)
        {
            throw new VaultInvalidInputException($"The certificate file '{path}' could not be opened ({e.Message}). Check the path and the PFX file's password.");
        }
    }

    /// <summary>A certificate in the current user's personal store, by thumbprint (Windows only).</summary>
    public static X509Certificate2 FromStore(string thumbprint)
    {
        if (!OperatingSystem.IsWindows())
            throw new VaultInvalidInputException("-CertificateThumbprint reads the Windows certificate store; on this system give -CertificatePath with a PFX file, or -Certificate.");
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly);
        var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
        return found.Count > 0 ? found[0]
            : throw new VaultInvalidInputException($"No certificate with thumbprint '{thumbprint}' is in the current user's personal store (Cert:\\CurrentUser\\My).");
    }
}
