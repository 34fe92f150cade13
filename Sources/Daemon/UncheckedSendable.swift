/// A value handed from the dataplane's queue back to the loop's, where it is used alone:
/// the hop (`loop.queue.async`) is what makes it safe, not the type.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
