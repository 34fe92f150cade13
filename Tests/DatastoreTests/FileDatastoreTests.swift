import Datastore
import FileDatastore
import Foundation
import Testing

/// The contract on a FileDatastore directory of each test's own, and what only the file store does.
@Suite(.timeLimit(.minutes(1)))
struct FileDatastoreTests {
    @Test(arguments: DatastoreContract.allCases)
    func contract(_ c: DatastoreContract) throws {
        let f = FileFixture(logLimit: c.fileLogLimit)
        defer { f.tearDown() }
        try c.run(on: f)
    }

    @Test func twoInstancesOnOneDirectorySeeEachOthersWritesThroughWatches() throws {
        let f = FileFixture()
        defer { f.tearDown() }
        let a = try FileDatastore(directory: f.directory), b = try FileDatastore(directory: f.directory)
        let logA = EventLog(), logB = EventLog()
        let wa = a.watch(prefix: "/n/", afterRevision: 0) { logA.append($0) }
        let wb = b.watch(prefix: "/n/", afterRevision: 0) { logB.append($0) }
        defer { wa.cancel(); wb.cancel() }
        let fromB = try b.put("/n/from-b", bytes("b"), lease: nil)
        let fromA = try a.create("/n/from-a", bytes("a"), lease: nil)
        #expect(fromA.revision == fromB.revision + 1)
        try b.delete("/n/from-a", ifRevision: fromA.revision)
        let expected: [DatastoreWatchEvent] = [.put(fromB), .put(fromA), .deleted(key: "/n/from-a", revision: fromA.revision + 1)]
        #expect(logA.wait { $0.count >= 3 } && logB.wait { $0.count >= 3 })
        #expect(logA.all == expected)
        #expect(logB.all == expected)
        #expect(try a.get("/n/from-b") == fromB)
    }

    @Test func aDirectoryThatCannotBeCreatedOrWrittenGivesAClearError() throws {
        let f = FileFixture()
        defer { f.tearDown() }
        try FileManager.default.createDirectory(atPath: f.directory, withIntermediateDirectories: true)
        let file = f.directory + "/plain-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let underFile = thrown { try FileDatastore(directory: file + "/store") }
        guard case .unavailable(let message)? = underFile else {
            Issue.record("under a file: \(String(describing: underFile))")
            return
        }
        #expect(message.contains(file + "/store") && message.contains("Not a directory"), "\(message)")

        // sysfs refuses mkdir even to root; procfs directories are not writable.
        let sys = thrown { try FileDatastore(directory: "/sys/tern-store-\(getpid())") }
        #expect(sys.map { "\($0)" }?.contains("/sys/tern-store-\(getpid())") == true, "\(String(describing: sys))")
        let proc = thrown { try FileDatastore(directory: "/proc/1") }
        guard case .unavailable(let procMessage)? = proc else {
            Issue.record("/proc/1: \(String(describing: proc))")
            return
        }
        #expect(procMessage.contains("/proc/1") && procMessage.contains("not writable"), "\(procMessage)")
    }

    @Test func theLayoutIsOneReadableFilePerKeyAndALogLine() throws {
        let f = FileFixture()
        defer { f.tearDown() }
        let s = try FileDatastore(directory: f.directory)
        let v = try s.put("/tern/ippools/default", bytes("{\"cidr\":\"10.0.0.0/16\"}"), lease: nil)
        let file = try String(contentsOfFile: f.directory + "/keys/%2Ftern%2Fippools%2Fdefault", encoding: .utf8)
        #expect(file == "tern-kv rev=\(v.revision) lease=0\n{\"cidr\":\"10.0.0.0/16\"}")
        let log = try String(contentsOfFile: f.directory + "/log", encoding: .utf8)
        #expect(log == "\(v.revision) put %2Ftern%2Fippools%2Fdefault 0 \(Data(v.value).base64EncodedString())\n")
        #expect(try String(contentsOfFile: f.directory + "/revision", encoding: .utf8) == "\(v.revision)\n")
    }

    @Test func aWriterThatDiedAfterItsLogLineIsFinishedByTheNextCall() throws {
        let f = FileFixture()
        defer { f.tearDown() }
        let s = try FileDatastore(directory: f.directory)
        let v = try s.put("/crash/a", bytes("a"), lease: nil)
        // A committed line whose key file and counter were never written, then a torn line.
        let line = "\(v.revision + 1) put %2Fcrash%2Fb 0 \(Data("b".utf8).base64EncodedString())\n\(v.revision + 2) put %2Fcr"
        let h = try #require(FileHandle(forWritingAtPath: f.directory + "/log"))
        h.seekToEndOfFile()
        h.write(Data(line.utf8))
        try h.close()
        #expect(try s.get("/crash/b") == StoredValue(key: "/crash/b", value: bytes("b"), revision: v.revision + 1))
        let c = try s.put("/crash/c", bytes("c"), lease: nil)
        #expect(c.revision == v.revision + 2)
        let log = try String(contentsOfFile: f.directory + "/log", encoding: .utf8)
        #expect(log.split(separator: "\n").map { $0.split(separator: " ")[0] } == ["\(v.revision)", "\(v.revision + 1)", "\(v.revision + 2)"])
    }

    @Test func aWatchReportsDownWhenTheDirectoryGoesAndResumesWhenItIsBack() throws {
        let f = FileFixture()
        defer { f.tearDown() }
        let s = try FileDatastore(directory: f.directory)
        let first = try s.put("/g/a", bytes("a"), lease: nil)
        let log = EventLog()
        let w = s.watch(prefix: "/g/", afterRevision: 0) { log.append($0) }
        defer { w.cancel() }
        #expect(log.wait { $0 == [.put(first)] })
        let away = f.directory + ".away"
        #expect(rename(f.directory, away) == 0)
        #expect(log.wait { $0.downs == 1 })
        guard case .down(.unavailable(let message))? = log.all.last else {
            Issue.record("\(log.all)")
            return
        }
        #expect(message.contains(f.directory), "\(message)")
        // Calls fail too, rather than finding nothing.
        #expect(thrown { try s.get("/g/a") }.map { if case .unavailable = $0 { true } else { false } } == true)
        #expect(rename(away, f.directory) == 0)
        let second = try s.put("/g/b", bytes("b"), lease: nil)
        #expect(log.wait { $0.changes.count == 2 })
        #expect(log.all.changes == [.put(first), .put(second)])
        #expect(log.all.downs == 1)
    }
}

/// Several real processes (filestore-writer, built with this test target) on one directory.
@Suite(.timeLimit(.minutes(1)))
struct FileDatastoreProcessTests {
    /// `filestore-writer` next to the test binary.
    static var writer: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("filestore-writer").path
    }

    @Test func severalProcessesLoseNoIncrementAndEveryCreateRaceHasOneWinner() throws {
        let f = FileFixture()
        defer {
            f.tearDown()
            try? FileManager.default.removeItem(atPath: f.directory + ".go")
        }
        #expect(FileManager.default.isExecutableFile(atPath: Self.writer), "\(Self.writer) was not built")
        let s = try FileDatastore(directory: f.directory)
        let zero = try s.put("/p/counter", bytes("0"), lease: nil)
        let log = EventLog()
        let watch = s.watch(prefix: "/p/counter", afterRevision: zero.revision) { log.append($0) }
        defer { watch.cancel() }

        var jobs: [(Process, Pipe)] = []
        let commands = [["increment", f.directory, "/p/counter", "30"], ["increment", f.directory, "/p/counter", "30"],
                        ["increment", f.directory, "/p/counter", "30"],
                        ["create", f.directory, "/p/race/", "50", "A"], ["create", f.directory, "/p/race/", "50", "B"]]
        for args in commands {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.writer)
            p.arguments = args
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            jobs.append((p, out))
        }
        #expect(FileManager.default.createFile(atPath: f.directory + ".go", contents: nil))
        var outputs: [String] = []
        for (p, out) in jobs {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(p.arguments ?? [])")
            outputs.append(String(decoding: data, as: UTF8.self))
        }

        #expect(try s.get("/p/counter")?.value == bytes("90"), "\(outputs[0...2])")
        // The watch saw every increment, in order: 1, 2, …, 90.
        #expect(log.wait { $0.count >= 90 })
        let values = log.all.compactMap { e -> String? in if case .put(let v) = e { String(decoding: v.value, as: UTF8.self) } else { nil } }
        #expect(values == (1...90).map(String.init))

        let a = outputs[3].split(separator: "\n"), b = outputs[4].split(separator: "\n")
        #expect(a.count == 50 && b.count == 50)
        for i in 0..<50 {
            let stored = try #require(try s.get("/p/race/\(i)"))
            let winner = String(decoding: stored.value, as: UTF8.self)
            let (mine, theirs) = winner == "A" ? (a, b) : (b, a)
            #expect(mine.contains("won \(i)") && theirs.contains("lost \(i) \(winner)"), "key \(i): A \(a[i]), B \(b[i])")
        }
    }
}
