extension ControlProtocol {
    /// What `policy-explain` asks: one connection attempt.
    public struct PolicyExplainRequest: Codable, Sendable, Equatable {
        /// `namespace/pod` or an address.
        public var from: String
        /// `namespace/pod` or an address.
        public var to: String
        /// The destination port.
        public var port: UInt16
        /// `TCP` (default), `UDP`, `SCTP`, or a protocol number.
        public var `protocol`: String?

        public init(from: String, to: String, port: UInt16, protocol: String? = nil) {
            self.from = from
            self.to = to
            self.port = port
            self.protocol = `protocol`
        }
    }

    /// One side's outcome in a ``PolicyExplanation``.
    public struct PolicySide: Codable, Sendable, Equatable {
        public var allowed: Bool
        /// The deciding policy (`k8s x/allow-web`), nil when no rule decided.
        public var policy: String?
        /// The deciding rule (`ingress[0]`).
        public var rule: String?
        public var reason: String
        /// Whether this node enforces this side (the pod lives here).
        public var enforcedHere: Bool

        public init(allowed: Bool, policy: String?, rule: String?, reason: String, enforcedHere: Bool) {
            self.allowed = allowed
            self.policy = policy
            self.rule = rule
            self.reason = reason
            self.enforcedHere = enforcedHere
        }
    }

    /// `tern policy explain`'s answer.
    public struct PolicyExplanation: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        /// `80/TCP`.
        public var port: String
        public var allowed: Bool
        /// The source pod's egress; nil when the source is not a pod.
        public var egress: PolicySide?
        /// The destination pod's ingress; nil when the destination is not a pod.
        public var ingress: PolicySide?

        public init(from: String, to: String, port: String, allowed: Bool, egress: PolicySide?, ingress: PolicySide?) {
            self.from = from
            self.to = to
            self.port = port
            self.allowed = allowed
            self.egress = egress
            self.ingress = ingress
        }
    }

    /// One row of `tern policy list`.
    public struct PolicyRow: Codable, Sendable, Equatable {
        /// `k8s`, `gnp` or `cnp`.
        public var kind: String
        public var namespace: String?
        public var name: String
        public var order: Double?
        /// `Ingress`, `Egress`.
        public var types: [String]
        /// The pods it selects (`namespace/name`), any node.
        public var selects: [String]
        /// Those on this node.
        public var selectsHere: [String]
        /// Its rules' counters (this node's kernel), in rule order.
        public var rules: [PolicyRuleCounter]
        /// Packets the end-of-tier drops of the local pods it isolates dropped (no rule of
        /// any of their policies allowed them; shared by every policy isolating those pods).
        public var deniedPackets: UInt64?
        public var deniedBytes: UInt64?

        public init(kind: String, namespace: String?, name: String, order: Double?, types: [String], selects: [String],
                    selectsHere: [String], rules: [PolicyRuleCounter]) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.order = order
            self.types = types
            self.selects = selects
            self.selectsHere = selectsHere
            self.rules = rules
        }
    }

    /// A rule's kernel counter: packets and bytes its action (allow or deny) applied to.
    public struct PolicyRuleCounter: Codable, Sendable, Equatable {
        /// `ingress[0]`.
        public var rule: String
        /// `Allow`, `Deny`, `Log`, `Pass`.
        public var action: String
        public var packets: UInt64
        public var bytes: UInt64

        public init(rule: String, action: String, packets: UInt64, bytes: UInt64) {
            self.rule = rule
            self.action = action
            self.packets = packets
            self.bytes = bytes
        }
    }

    /// `tern policy dataplane`: the nft table Tern wants and what the kernel has.
    public struct PolicyDataplane: Codable, Sendable, Equatable {
        /// `inet tern`.
        public var table: String
        /// Whether the kernel's table has every chain with its rule count and every set with its elements.
        public var inSync: Bool
        /// Transactions applied, whole-table replacements among them (start, repair), and
        /// repairs after another process changed the table.
        public var transactions: Int
        public var replacements: Int
        public var repairs: Int
        /// The last transaction's duration in milliseconds and its error, if it failed.
        public var lastApplyMilliseconds: Double?
        public var lastError: String?
        /// Established connections cut because new rules deny them.
        public var connectionsCut: Int
        /// Drops of traffic on workload interfaces Tern has no rules for yet.
        public var unknownWorkloadDrops: UInt64
        public var chains: [PolicyObject]
        public var sets: [PolicyObject]

        public init(table: String, inSync: Bool, transactions: Int, replacements: Int, repairs: Int, lastApplyMilliseconds: Double?,
                    lastError: String?, connectionsCut: Int, unknownWorkloadDrops: UInt64, chains: [PolicyObject], sets: [PolicyObject]) {
            self.table = table
            self.inSync = inSync
            self.transactions = transactions
            self.replacements = replacements
            self.repairs = repairs
            self.lastApplyMilliseconds = lastApplyMilliseconds
            self.lastError = lastError
            self.connectionsCut = connectionsCut
            self.unknownWorkloadDrops = unknownWorkloadDrops
            self.chains = chains
            self.sets = sets
        }
    }

    /// A chain (its rule count) or set (its element count), desired and in the kernel (nil: missing).
    public struct PolicyObject: Codable, Sendable, Equatable {
        public var name: String
        public var desired: Int?
        public var kernel: Int?

        public init(name: String, desired: Int?, kernel: Int?) {
            self.name = name
            self.desired = desired
            self.kernel = kernel
        }
    }
}
