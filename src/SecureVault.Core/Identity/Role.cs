namespace SecureVault.Identity;

/// <summary>A principal's role. Stored as its number; the numbers never change.</summary>
public enum Role
{
    /// <summary>Everything, including principals, policies and audit retention.</summary>
    Admin = 1,

    /// <summary>Creates keys; reads and changes its own and granted keys.</summary>
    User = 2,

    /// <summary>Lists metadata; reads only what is granted; never writes.</summary>
    Viewer = 3,
}
