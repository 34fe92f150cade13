/// EventLoop: Dispatch sources for sockets and timers.
/// PLACEHOLDER — replaced by the event-loop work.
public enum EventLoopModule {}
