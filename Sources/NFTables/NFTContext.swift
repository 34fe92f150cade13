import CNFTables

/// One libnftables context (`nft_ctx_new(NFT_CTX_DEFAULT)`, libnftables(3)), output and errors
/// buffered. Not thread-safe: use from one queue.
///
/// Each `run` is one `nft_run_cmd_from_buffer` call: libnftables parses every line, then sends
/// all of them to the kernel as ONE nfnetlink batch (NFNL_MSG_BATCH_BEGIN ... BATCH_END,
/// `nfnetlink_rcv_batch` in net/netfilter/nfnetlink.c), which the kernel commits or aborts as a
/// whole. A parse error anywhere sends nothing.
public final class NFTContext: @unchecked Sendable {
    let ctx: OpaquePointer
    /// The output flags `run` uses (none: nft's text form); `listJSON` adds JSON and handles.
    let baseFlags: UInt32

    /// A fresh context with buffered output and error streams.
    public init() throws(NFTError) {
        guard let ctx = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else {
            throw NFTError(message: "nft_ctx_new failed")
        }
        guard nft_ctx_buffer_output(ctx) == 0, nft_ctx_buffer_error(ctx) == 0 else {
            nft_ctx_free(ctx)
            throw NFTError(message: "cannot buffer libnftables output")
        }
        self.ctx = ctx
        baseFlags = nft_ctx_output_get_flags(ctx)
    }

    deinit { nft_ctx_free(ctx) }

    /// Runs `commands` (nft syntax, many lines) as ONE transaction via `nft_run_cmd_from_buffer`:
    /// all or nothing. Throws libnftables' error text (trimmed) with the commands.
    public func run(_ commands: String) throws(NFTError) {
        nft_ctx_output_set_flags(ctx, baseFlags)
        _ = try execute(commands)
    }

    /// Runs a list command (e.g. "list table inet tern", "list counters table inet tern") with
    /// JSON output (`NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE`) and returns the JSON text
    /// (libnftables-json(5)); read it with ``NFTTableListing``.
    public func listJSON(_ command: String) throws(NFTError) -> String {
        nft_ctx_output_set_flags(ctx, baseFlags | UInt32(NFT_CTX_OUTPUT_JSON) | UInt32(NFT_CTX_OUTPUT_HANDLE))
        defer { nft_ctx_output_set_flags(ctx, baseFlags) }
        return try execute(command)
    }

    /// One `nft_run_cmd_from_buffer`; returns the output buffer, throws the error buffer.
    func execute(_ commands: String) throws(NFTError) -> String {
        let rc = nft_run_cmd_from_buffer(ctx, commands)
        // Both getters return the buffered text and rewind the buffer (libnftables.c,
        // get_cookie_buffer): copy them now, before the next call writes over them.
        let output = nft_ctx_get_output_buffer(ctx).map { String(cString: $0) } ?? ""
        let errors = nft_ctx_get_error_buffer(ctx).map { String(cString: $0) } ?? ""
        guard rc == 0 else {
            let text = errors.trimmingWhitespace()
            throw NFTError(message: text.isEmpty ? "nft_run_cmd_from_buffer returned \(rc)" : text, commands: commands)
        }
        return output
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (no Foundation in this file's needs).
    func trimmingWhitespace() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        guard let first = firstIndex(where: { !ws.contains($0) }),
              let last = lastIndex(where: { !ws.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}
