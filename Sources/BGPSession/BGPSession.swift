// BGPSession: the RFC 4271 §8 finite state machine of one BGP connection, as a value.
//
// The module is pure: it imports only BGPWire and never touches sockets, clocks,
// Dispatch or logs. A driver feeds it ``SessionEvent``s (with the current ``Instant``)
// and performs the ``SessionAction``s it returns.
//
// RFCs: 4271 §6 and §8 (FSM, error handling), 6608 (FSM error subcodes), 4486 (Cease
// subcodes), 5492 (capabilities, 2/7), 4760 (families), 6793 (4-octet AS), 7911
// (ADD-PATH), 2918 and 7313 (route refresh), 4724 (graceful restart), 8654 (extended
// messages), 6286 (BGP identifier, collisions on equal IDs), 9687 (send hold timer).
//
// Files:
// - Instant.swift            monotonic time as plain values
// - SessionConfig.swift      what the machine is told (AS, ID, timers, capabilities)
// - SessionState.swift       the six RFC 4271 states
// - SessionEvent.swift       RFC 4271 §8.1 events
// - SessionAction.swift      what the driver must do
// - SessionMachine.swift     timers, dispatch, shared transitions
// - SessionMachine+States.swift   one handler per state, each under its rule table
// - SessionMachine+Open.swift     our OPEN and the checks on the peer's OPEN (§6.2)
// - CollisionResolver.swift  RFC 4271 §6.8 connection collision detection
