import Yams

// MARK: - policy

extension ConfigLoader {
    /// Keys of the `policy` mapping.
    public static var policyKeys: [String] { policyFields.keys }

    /// The `policy` mapping, read into ``PolicySettings``.
    static let policyFields = FieldTable<PolicySettings>("the policy settings", [
        Field("enabled", into: \.enabled) { r, v, path in r.bool(v, path) },
        Field("cutDeniedConnections", into: \.cutDeniedConnections) { r, v, path in r.bool(v, path) },
        Field("resyncInterval", into: \.resyncInterval) { r, v, path in r.seconds(v, path, range: 1...86_400, usual: 90) },
        Field("workloadInterfacePrefix", into: \.workloadInterfacePrefix) { r, v, path in
            guard let t = r.nonEmptyText(v, path, what: "an interface name prefix") else { return nil }
            guard t.utf8.count < 15, !t.contains("*"), !t.contains("\""), !t.contains(where: \.isWhitespace) else {
                r.fail(v, path, "\"\(t)\" is not an interface name prefix", hint: "at most 14 characters, no '*', quotes or blanks, e.g. cali")
                return nil
            }
            return t
        },
    ])
}
