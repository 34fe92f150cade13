// BFD: RFC 5880 Bidirectional Forwarding Detection, asynchronous mode, as values.
//
// The module is pure: it imports nothing and never touches sockets, clocks, Dispatch or
// logs. A driver decodes UDP payloads into ``BFDControlPacket``s, feeds them to a
// ``BFDSession`` as ``BFDEvent``s with the current ``BFDInstant``, performs the returned
// ``BFDAction``s (encode and send, report state changes) and calls ``BFDSession/advance(to:)``
// at ``BFDSession/nextDeadline``.
//
// Files:
// - BFDInstant.swift          monotonic time as plain values (µs helpers)
// - BFDState.swift            §4.1 Sta / §6.2 session states
// - BFDDiagnostic.swift       §4.1 Diag codes
// - BFDAuthentication.swift   §4.2/§4.4 SHA1 authentication section (fields only)
// - BFDControlPacket.swift    §4.1 codec, §6.8.6 checks on the packet itself
// - BFDControlPacket+SHA1.swift   §6.7.4 signing / checking one packet's SHA1 digest
// - BFDDecodeError.swift      one case per rejected rule
// - BFDJitter.swift           §6.8.7 transmit jitter, deterministic and seedable
// - BFDSessionConfig.swift    what the session is told (§6.8.1 initial values)
// - BFDEvent.swift, BFDAction.swift   what goes in, what comes out
// - BFDSession.swift          §6.8.1 variables, timers (§6.8.4, §6.8.7), §6.8.3 intervals, §6.5 Poll
// - BFDSession+Receive.swift  §6.8.6 reception and the state machine
//
// Not implemented: Demand mode as a local choice (§6.6; the remote's Demand mode is
// honoured), the Echo function (§6.4), authentication in the session (§6.7: bfd.AuthType, sequence
// number checks; packets with the A bit are discarded, only one packet's digest can be
// computed and checked), §6.8.16 ceasing
// transmission after a Detection Time in AdminDown (we keep sending at 1 s).
