// filestore-writer: a separate process writing a FileDatastore directory, for DatastoreTests'
// multi-process test (several daemons and the CLI share one directory in production).
//
//     filestore-writer increment DIR KEY COUNT        COUNT read-update increments, retried on conflict
//     filestore-writer create DIR PREFIX COUNT NAME   create PREFIX0 … PREFIX<COUNT-1> with value NAME
//
// Both wait for DIR.go to exist before the first write, so the processes a test starts begin
// together. Output: `conflicts N` (increment); `won I` or `lost I WINNER` per key (create).
// Exit status 0 on success, 1 with the error on stderr.
import Datastore
import FileDatastore
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("filestore-writer: \(message)\n".utf8))
    exit(1)
}

let args = CommandLine.arguments
guard args.count >= 5, let count = Int(args[4]) else { fail("usage: increment DIR KEY COUNT | create DIR PREFIX COUNT NAME") }
let dir = args[2]
let store: FileDatastore
do {
    store = try FileDatastore(directory: dir)
} catch {
    fail("\(error)")
}
while access(dir + ".go", F_OK) != 0 { usleep(1000) }

var out = ""
switch args[1] {
case "increment":
    var conflicts = 0
    var done = 0
    while done < count {
        do {
            guard let cur = try store.get(args[3]), let n = Int(String(decoding: cur.value, as: UTF8.self)) else {
                fail("\(args[3]) is missing or not a number")
            }
            try store.update(args[3], Array("\(n + 1)".utf8), ifRevision: cur.revision, lease: nil)
            done += 1
        } catch DatastoreError.conflict {
            conflicts += 1
        } catch {
            fail("\(error)")
        }
    }
    out = "conflicts \(conflicts)\n"
case "create":
    guard args.count == 6 else { fail("create needs NAME") }
    for i in 0..<count {
        do {
            try store.create("\(args[3])\(i)", Array(args[5].utf8), lease: nil)
            out += "won \(i)\n"
        } catch DatastoreError.alreadyExists(_, let current) {
            out += "lost \(i) \(String(decoding: current.value, as: UTF8.self))\n"
        } catch {
            fail("\(error)")
        }
    }
default:
    fail("unknown command \(args[1])")
}
FileHandle.standardOutput.write(Data(out.utf8))
