/// Daemon: wires sockets, sessions, RIB and the control socket together.
/// PLACEHOLDER — replaced by the daemon work.
public enum DaemonModule {}
