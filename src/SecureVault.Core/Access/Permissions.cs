// The access model (ARCHITECTURE.md section 6): each role maps every named permission to a scope.
// Vault-wide permissions (list, manage-principals, ...) are either held or not; key permissions
// (read, write, rotate, delete, grant, revoke) are held on all keys (Admin), on the principal's
// own and granted keys (User), or only on granted keys (Viewer, and then only read). The numbers
// of KeyPermissions are stored in grant rows and never change.
using SecureVault.Identity;

namespace SecureVault.Access;

/// <summary>The permissions a grant can give on one key. Stored as this number.</summary>
[Flags]
public enum KeyPermissions
{
    None = 0,
    Read = 1,
    Write = 2,
    Rotate = 4,
    Delete = 8,
    Grant = 16,
}

/// <summary>Where a role holds a permission.</summary>
public enum PermissionScope
{
    /// <summary>Never.</summary>
    None = 0,
    /// <summary>Only on keys granted to the principal.</summary>
    Granted = 1,
    /// <summary>On keys the principal created and keys granted to it.</summary>
    OwnAndGranted = 2,
    /// <summary>Everywhere.</summary>
    All = 3,
}

/// <summary>One row of the role matrix: a permission and where each role holds it.</summary>
public sealed record VaultRolePermission(string Permission, string Description, PermissionScope Admin, PermissionScope User, PermissionScope Viewer)
{
    public PermissionScope For(Role role) => role switch
    {
        Role.Admin => Admin,
        Role.User => User,
        Role.Viewer => Viewer,
        _ => PermissionScope.None,
    };
}

/// <summary>The named permissions and the role matrix; the one place access rules are written down.</summary>
public static class Permissions
{
    public const string Create = "create";
    public const string Read = "read";
    public const string Write = "write";
    public const string Rotate = "rotate";
    public const string Delete = "delete";
    public const string Grant = "grant";
    public const string Revoke = "revoke";
    public const string List = "list";
    public const string ListAccess = "list-access";
    public const string ListPrincipals = "list-principals";
    public const string VerifyAudit = "verify-audit";
    public const string ExportAuditHead = "export-audit-head";
    public const string ReadAudit = "read-audit";
    public const string ExportAudit = "export-audit";
    public const string ManageAuditPolicy = "manage-audit-policy";
    public const string PruneAudit = "prune-audit";
    public const string ManagePrincipals = "manage-principals";
    public const string UnlockPrincipal = "unlock-principal";
    public const string ManageLockoutPolicy = "manage-lockout-policy";
    public const string ManageOwnCredentials = "manage-own-credentials";
    public const string ManageRotationPolicy = "manage-rotation-policy";
    public const string Rekey = "rekey";
    public const string Backup = "backup";
    public const string Restore = "restore";

    /// <summary>Every key permission a grant can give.</summary>
    public const KeyPermissions EveryKeyPermission = KeyPermissions.Read | KeyPermissions.Write | KeyPermissions.Rotate | KeyPermissions.Delete | KeyPermissions.Grant;

    private const PermissionScope All = PermissionScope.All, Own = PermissionScope.OwnAndGranted,
        Granted = PermissionScope.Granted, None = PermissionScope.None;

    /// <summary>Every permission, with where Admin, User and Viewer hold it.</summary>
    public static IReadOnlyList<VaultRolePermission> Matrix { get; } =
    [
        new(Create, "Create keys", All, All, None),
        new(Read, "Read a key's value", All, Own, Granted),
        new(Write, "Write a new version or change a key's metadata", All, Own, None),
        new(Rotate, "Rotate a key's value or data key", All, Own, None),
        new(Delete, "Remove a key", All, Own, None),
        new(Grant, "Give another principal access to a key", All, Own, None),
        new(Revoke, "Take access to a key away", All, Own, None),
        new(List, "List keys and read their metadata", All, All, All),
        new(ListAccess, "List grants", All, All, All),
        new(ListPrincipals, "List principals and their roles", All, All, All),
        new(VerifyAudit, "Verify the audit chain", All, All, All),
        new(ExportAuditHead, "Export a signed audit head (anchor)", All, All, All),
        new(ReadAudit, "Read audit records and alerts", All, None, None),
        new(ExportAudit, "Export audit records", All, None, None),
        new(ManageAuditPolicy, "Change audit retention and alert forwarding", All, None, None),
        new(PruneAudit, "Remove audit records past retention", All, None, None),
        new(ManagePrincipals, "Add, change, disable and remove principals and their credentials", All, None, None),
        new(UnlockPrincipal, "Clear a principal's lockout", All, None, None),
        new(ManageLockoutPolicy, "Change the lockout policy", All, None, None),
        new(ManageOwnCredentials, "Change one's own password, keyslots and MFA", All, All, All),
        new(ManageRotationPolicy, "Change rotation policies and exemptions", All, None, None),
        new(Rekey, "Re-encrypt the whole vault under new keys", All, None, None),
        new(Backup, "Back the vault up", All, None, None),
        new(Restore, "Restore the vault from a backup", All, None, None),
    ];

    private static readonly Dictionary<string, VaultRolePermission> ByName =
        Matrix.ToDictionary(p => p.Permission, StringComparer.Ordinal);

    /// <summary>Where <paramref name="role"/> holds <paramref name="permission"/>.</summary>
    public static PermissionScope ScopeOf(Role role, string permission) =>
        ByName.TryGetValue(permission, out var row) ? row.For(role) : throw new ArgumentException($"Unknown permission '{permission}'.", nameof(permission));

    /// <summary>The permission name of one key permission (for messages and audit records).</summary>
    public static string NameOf(KeyPermissions permission) => permission switch
    {
        KeyPermissions.Read => Read,
        KeyPermissions.Write => Write,
        KeyPermissions.Rotate => Rotate,
        KeyPermissions.Delete => Delete,
        KeyPermissions.Grant => Grant,
        _ => throw new ArgumentOutOfRangeException(nameof(permission)),
    };

    /// <summary>
    /// The key permissions a principal holds on one key: all for an Admin; for a User everything on
    /// its own keys plus what is granted; for a Viewer only a granted read. <paramref name="granted"/>
    /// is what an unexpired grant gives (None when there is none).
    /// </summary>
    public static KeyPermissions OnKey(Role role, bool isOwner, KeyPermissions granted)
    {
        return role switch
        {
            Role.Admin => EveryKeyPermission,
            Role.User => isOwner ? EveryKeyPermission : granted & EveryKeyPermission,
            Role.Viewer => granted & KeyPermissions.Read,
            _ => KeyPermissions.None,
        };
    }

    /// <summary>What a role can ever hold through a grant (a Viewer never writes).</summary>
    public static KeyPermissions GrantableTo(Role role) => OnKey(role, isOwner: false, EveryKeyPermission);

    /// <summary>Parses permission names ("Read", "write", ...) into flags; unknown names are refused.</summary>
    public static KeyPermissions ParseKeyPermissions(IEnumerable<string> names)
    {
        var result = KeyPermissions.None;
        foreach (var name in names)
        {
            if (!Enum.TryParse<KeyPermissions>(name, ignoreCase: true, out var one) || one == KeyPermissions.None || !Enum.IsDefined(one))
                throw new VaultInvalidInputException($"'{name}' is not a key permission. Use Read, Write, Rotate, Delete or Grant.");
            result |= one;
        }
        if (result == KeyPermissions.None) throw new VaultInvalidInputException("Name at least one permission: Read, Write, Rotate, Delete or Grant.");
        return result;
    }
}
