/// BGPSession: the RFC 4271 §8 finite state machine as a pure value.
/// PLACEHOLDER — replaced by the session work.
public enum BGPSessionModule {}
