import EventLoop
import Foundation
import IPCore

/// One sort of the RIB's prefixes, off the loop, shared by every `tern routes` answer that
/// starts while it runs (``RouteStream``). Each gets the table as it stood when the sort
/// began; routes withdrawn since are skipped as the stream reaches them.
final class SharedPrefixSort: @unchecked Sendable {   // state confined to the loop
    private let loop: EventLoop
    private var waiting: [([IPPrefix]) -> Void] = []
    private let done: () -> Void

    /// Starts sorting `unsorted` on a utility queue; `done` runs on the loop when the result
    /// has been handed to every waiter (the owner forgets this sort there).
    init(loop: EventLoop, unsorted: [IPPrefix], done: @escaping () -> Void) {
        self.loop = loop
        self.done = done
        DispatchQueue.global(qos: .utility).async { [self] in
            let sorted = unsorted.sorted()
            loop.execute { [self] in
                self.done()
                let callbacks = waiting
                waiting = []
                for callback in callbacks { callback(sorted) }
            }
        }
    }

    /// Runs `body` on the loop with the sorted prefixes.
    func whenSorted(_ body: @escaping ([IPPrefix]) -> Void) { waiting.append(body) }
}
