import IPCore
import Testing
@testable import Config

/// What the probe tables below read.
struct Probe: Sendable {
    var name: String?
    var colour: String?
    var size = 1
    var timeout: Int?
    var spec = ProbeSpec()
}

/// A nested mapping, as a Calico resource's `spec`.
struct ProbeSpec: Sendable {
    var cidr: IPPrefix?
    var blockSize: Int?
}

/// The mechanism itself: unknown and missing keys come from the table, values go where
/// the fields say, nested mappings have their own table.
@Suite struct FieldTableMechanism {
    static let name = Field<Probe>("name", required: "add \"name: <probe name>\"", into: \.name) { r, v, path in
        r.nonEmptyText(v, path, what: "a name")
    }
    static let colour = Field<Probe>("colour", into: \.colour) { r, v, path in r.text(v, path) }
    static let size = Field<Probe>("size", into: \.size) { r, v, path in r.integer(v, path) }
    static let timeout = Field<Probe>("timeout", into: \.timeout) { r, v, path in r.integer(v, path) }
    static let spec = FieldTable<ProbeSpec>("the pool's spec", [
        Field("cidr", required: "add \"cidr: <pool prefix>\"", into: \.cidr) { r, v, path in r.prefix(v, path) },
        Field("blockSize", into: \.blockSize) { r, v, path in r.integer(v, path) },
    ])
    static let probe = FieldTable<Probe>("a probe", [name, colour, size])

    /// Reads `yaml` with `table` at `prefix`: what it read and every error, in file order.
    func read(_ yaml: String, _ table: FieldTable<Probe>, at prefix: String = "",
              sourceLocation: SourceLocation = #_sourceLocation) throws -> (ReadMapping<Probe>?, [ConfigError]) {
        let reader = Reader(file: "t.yaml")
        let node = try #require(reader.compose(yaml), sourceLocation: sourceLocation)
        return (table.read(node, at: prefix, into: Probe(), reader), reader.sortedErrors)
    }

    @Test func fieldsFillTheTargetAndDefaultsStay() throws {
        let (m, errors) = try read("name: p\ncolour: red\n", Self.probe)
        #expect(errors.isEmpty)
        let read = try #require(m)
        #expect(read.isComplete)
        #expect(read.value.name == "p" && read.value.colour == "red" && read.value.size == 1)
        #expect(read["colour"] != nil && read["size"] == nil)
    }

    @Test func unknownKeySuggestionComesFromTheTable() throws {
        let (_, without) = try read("name: p\ntimout: 3\n", Self.probe)
        #expect(without.map(\.keyPath) == ["timout"])
        #expect(without.first?.message == "unknown key \"timout\"")
        #expect(without.first?.hint == "known keys here: name, colour, size")

        // The same key, once the table has a field for something close: suggested at once.
        let longer = FieldTable<Probe>("a probe", [Self.name, Self.colour, Self.size, Self.timeout])
        let (_, with) = try read("name: p\ntimout: 3\n", longer)
        #expect(with.map(\.keyPath) == ["timout"])
        #expect(with.first?.line == 2 && with.first?.column == 1)
        #expect(with.first?.hint == "did you mean \"timeout\"?")
        #expect(longer.keys == ["name", "colour", "size", "timeout"])
    }

    @Test func missingRequiredKeyHasTheFieldsHint() throws {
        let (m, errors) = try read("colour: red\n", Self.probe, at: "probes[2]")
        let e = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(e.keyPath == "probes[2].name")
        #expect(e.message == "missing required key \"name\" in probes[2]")
        #expect(e.hint == "add \"name: <probe name>\"")
        #expect(m?.missing == ["name"] && m?.isComplete == false)
        // The other fields are still read.
        #expect(m?.value.colour == "red")

        let (_, top) = try read("colour: red\n", Self.probe)
        #expect(top.first?.message == "missing required key \"name\" in the file")
    }

    @Test func rejectedValueIsReportedAndNotStored() throws {
        let (m, errors) = try read("name: p\nsize: big\n", Self.probe)
        #expect(errors.map(\.keyPath) == ["size"])
        #expect(errors.first?.message == "expected a whole number, got the string \"big\"")
        #expect(m?.rejected == ["size"] && m?.isComplete == false)
        #expect(m?.value.size == 1)
    }

    @Test func notAMappingUsesTheTablesDescription() throws {
        let (m, errors) = try read("- a\n", Self.probe, at: "probes[0]")
        #expect(m == nil)
        #expect(errors.first?.message == "expected a probe (a mapping of keys), got a list")
        #expect(errors.first?.hint == "write it as {key: value, ...} or as indented key: value lines")
    }

    /// A document of another shape (`metadata` and `spec`, as a Calico resource) is a
    /// table whose fields are mappings with tables of their own.
    @Test func nestedMappings() throws {
        let document = FieldTable<Probe>("a resource", [
            Field<Probe>.mapping("metadata", required: "add \"metadata: {name: ...}\"", FieldTable("the metadata", [Self.name]),
                                 into: \.self),
            Field<Probe>.mapping("spec", Self.spec, into: \.spec),
        ])
        let (m, errors) = try read("metadata: {name: pool-a}\nspec:\n  cidr: 10.244.0.0/16\n  blockSiz: 26\n", document)
        #expect(m?.value.name == "pool-a")
        #expect(m?.value.spec.cidr == IPPrefix("10.244.0.0/16"))
        #expect(errors.map(\.keyPath) == ["spec.blockSiz"])
        #expect(errors.first?.line == 4)
        #expect(errors.first?.hint == "did you mean \"blockSize\"?")
        // An unknown key is reported but rejects nothing; a missing or rejected key inside
        // the nested mapping rejects its field.
        #expect(m?.rejected == [])

        let (missing, inner) = try read("metadata: {name: pool-a}\nspec: {blockSize: 26}\n", document)
        #expect(inner.map(\.keyPath) == ["spec.cidr"])
        #expect(inner.first?.message == "missing required key \"cidr\" in spec")
        #expect(missing?.rejected == ["spec"])

        let (_, shape) = try read("metadata: {name: pool-a}\nspec: 3\n", document)
        #expect(shape.first?.message == "expected the pool's spec (a mapping of keys), got the number 3")
    }

    @Test func listsOfMappingsKeepEachEntrysIndex() throws {
        struct Probes { var probes: [ReadMapping<Probe>] = [] }
        let table = FieldTable<Probes>("the probes", [
            .list("probes", of: Self.probe, start: Probe(), example: "{name: p}", into: \.probes),
        ])
        let reader = Reader(file: "t.yaml")
        let node = try #require(reader.compose("probes:\n  - {name: a}\n  - 7\n  - {colour: red}\n"))
        let m = try #require(table.read(node, at: "", into: Probes(), reader))
        #expect(m.value.probes.map(\.index) == [0, 2])
        #expect(m.value.probes.map(\.isComplete) == [true, false])
        #expect(reader.sortedErrors.map(\.keyPath) == ["probes[1]", "probes[2].name"])
        #expect(m.rejected == ["probes"])
    }

    /// Every key of the loader's tables is listed once.
    @Test func eachKeyListedOnce() {
        let tables: [(String, [String])] = [
            ("top level", ConfigLoader.topLevelKeys), ("nodes", ConfigLoader.nodeKeys), ("peers", ConfigLoader.peerKeys),
            ("workloads", ConfigLoader.workloadKeys), ("dataplane", ConfigLoader.dataplaneKeys), ("ipPools", ConfigLoader.ipPoolKeys),
            ("metrics", ConfigLoader.metricsKeys), ("health", ConfigLoader.healthKeys),
        ]
        for (name, keys) in tables {
            #expect(Set(keys).count == keys.count, "\(name): \(keys)")
            #expect(!keys.isEmpty, "\(name)")
        }
        #expect(ConfigLoader.topLevelKeys == ConfigLoader.settingsFields.fields.map(\.key))
    }

    /// The loader's own unknown-key hints follow its tables.
    @Test func loaderHintsListTheTablesKeys() throws {
        let e = try onlyError(withRequired("dataplane: {zzz: 1}\n"))
        #expect(e.hint == "known keys here: " + ConfigLoader.dataplaneKeys.joined(separator: ", "))
        let p = try onlyError(withRequired("ipPools: [{cidr: 10.244.0.0/16, qqq: 1}]\n"))
        #expect(p.hint == "known keys here: " + ConfigLoader.ipPoolKeys.joined(separator: ", "))
    }
}
