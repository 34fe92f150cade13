import CMNL
import Glibc

/// Named network namespaces as `ip netns` makes them (/var/run/netns/NAME).
public enum NetworkNamespace {
    /// The bind-mount path of a named namespace.
    public static func path(_ name: String) -> String { "/var/run/netns/\(name)" }

    /// Runs `body` on a dedicated thread that has entered the named namespace (`setns(2)`
    /// with CLONE_NEWNET), then switches that thread back and ends it. Sockets opened in
    /// `body` stay in the namespace for their whole life, so this is how a socket for
    /// another namespace is made. Other threads are never moved.
    public static func run<T>(in name: String, _ body: () throws -> T) throws -> T {
        try run(atPath: path(name), body)
    }

    /// As ``run(in:_:)`` for a namespace given by its path: a bind mount
    /// (`/run/netns/NAME`, podman's `/run/netns/netns-<uuid>`) or a process's
    /// `/proc/PID/ns/net` (containerd's CNI_NETNS).
    public static func run<T>(atPath nsPath: String, _ body: () throws -> T) throws -> T {
        let name = nsPath
        let target = open(nsPath, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw NetlinkError.fromErrno("open \(nsPath)") }
        defer { close(target) }
        var result: Result<T, Error> = .failure(NetlinkError(code: EINVAL, operation: "enter netns \(name)"))
        try withoutActuallyEscaping(body) { body in
            try onDedicatedThread {
                let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
                guard original >= 0 else { result = .failure(NetlinkError.fromErrno("open own netns")); return }
                defer { close(original) }
                guard tern_setns_net(target) == 0 else {
                    result = .failure(NetlinkError.fromErrno("setns \(name)"))
                    return
                }
                result = Result { try body() }
                // If switching back fails the thread ends here anyway; nothing else ran in it.
                _ = tern_setns_net(original)
            }
        }
        return try result.get()
    }

    final class Job {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    static func onDedicatedThread(_ work: @escaping () -> Void) throws {
        let ctx = Unmanaged.passRetained(Job(work)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { ctx in
            guard let ctx else { return nil }
            Unmanaged<Job>.fromOpaque(ctx).takeRetainedValue().work()
            return nil
        }, ctx)
        guard rc == 0 else {
            Unmanaged<Job>.fromOpaque(ctx).release()
            throw NetlinkError(code: rc, operation: "pthread_create")
        }
        pthread_join(tid, nil)
    }
}
