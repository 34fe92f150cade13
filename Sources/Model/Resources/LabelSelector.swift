/// A Kubernetes label selector (`metav1.LabelSelector`, "Labels and Selectors" in the
/// Kubernetes documentation): `matchLabels` and `matchExpressions`, all of which must hold
/// (AND). The empty selector matches every object.
public struct LabelSelector: Sendable, Hashable {
    /// Each key must be present with exactly this value.
    public var matchLabels: [String: String]
    /// Each requirement must hold.
    public var matchExpressions: [LabelSelectorRequirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [LabelSelectorRequirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// The selector that matches everything (`{}`).
    public static let everything = LabelSelector()

    /// True when no label and no expression is given (`{}`: matches all).
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    /// Whether an object with `labels` is selected.
    public func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        return matchExpressions.allSatisfy { $0.matches(labels) }
    }

    /// Checks the label keys and values and each requirement (k8s.io/apimachinery
    /// `ValidateLabelSelector`); fields are `matchLabels.<key>` and `matchExpressions[i].<field>`.
    public func validate() throws(ModelError) {
        do {
            try Labels.validate(matchLabels)
        } catch {
            throw ModelError(field: "matchLabels" + error.field.dropFirst("labels".count), error.message, hint: error.hint)
        }
        for (i, r) in matchExpressions.enumerated() {
            do {
                try r.validate()
            } catch {
                throw ModelError(field: "matchExpressions[\(i)].\(error.field)", error.message, hint: error.hint)
            }
        }
    }
}

/// One `matchExpressions` entry: `key`, `operator`, `values`.
public struct LabelSelectorRequirement: Sendable, Hashable {
    /// The selector operators (`metav1.LabelSelectorOperator`).
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// The label is present with one of `values`.
        case `in` = "In"
        /// The label is absent, or present with none of `values`.
        case notIn = "NotIn"
        /// The label is present (any value).
        case exists = "Exists"
        /// The label is absent.
        case doesNotExist = "DoesNotExist"
    }

    /// The label key the requirement is about.
    public var key: String
    /// How the label is compared with ``values``.
    public var `operator`: Operator
    /// Non-empty for `In`/`NotIn`, empty for `Exists`/`DoesNotExist`.
    public var values: [String]

    public init(key: String, operator: Operator, values: [String] = []) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether an object with `labels` meets the requirement (`NotIn` and `DoesNotExist`
    /// hold for objects without the key).
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch self.operator {
        case .in: return value.map(values.contains) ?? false
        case .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }

    /// The key is a label key, values are label values; `In`/`NotIn` need values,
    /// `Exists`/`DoesNotExist` take none (apimachinery `ValidateLabelSelectorRequirement`).
    public func validate() throws(ModelError) {
        if let p = Labels.keyProblem(key) {
            throw ModelError(field: "key", "label key \"\(key)\" is invalid: \(p)", hint: "keys are [prefix/]name, e.g. app or example.com/tier")
        }
        switch self.operator {
        case .in, .notIn:
            if values.isEmpty {
                throw ModelError(field: "values", "must be specified when operator is In or NotIn",
                                 hint: "list the values, e.g. values: [web, api]")
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                throw ModelError(field: "values", "may not be specified when operator is Exists or DoesNotExist",
                                 hint: "remove values")
            }
        }
        for (i, v) in values.enumerated() where !v.isEmpty {
            if let p = Labels.nameProblem(v, what: "a label value") {
                throw ModelError(field: "values[\(i)]", "label value \"\(v)\" is invalid: \(p)",
                                 hint: "values are empty or up to 63 letters, digits, '-', '_' and '.'")
            }
        }
    }
}
