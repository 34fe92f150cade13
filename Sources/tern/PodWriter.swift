import ArgumentParser
import Cluster
import Foundation
import Model

/// Writes the datastore `Pod` of a workload added by hand (`tern workload add --label
/// --port`): its labels and named container ports, which NetworkPolicy selects by and
/// resolves named ports against. Other fields of an existing Pod stay.
enum PodWriter {
    /// `NAME=PORT[/PROTOCOL]`, e.g. `serve-80-tcp=80/TCP`; the protocol defaults to TCP.
    static func namedPort(_ text: String) throws -> NamedPort {
        guard let eq = text.firstIndex(of: "=") else {
            throw ValidationError("--port \(text): write NAME=PORT[/PROTOCOL], e.g. http=80/TCP")
        }
        let name = String(text[..<eq])
        if let problem = NetworkPolicyPort.serviceNameProblem(name) {
            throw ValidationError("--port \(text): \"\(name)\" is not a valid port name: \(problem)")
        }
        let rest = text[text.index(after: eq)...].split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = rest.first, let number = UInt16(first), number > 0 else {
            throw ValidationError("--port \(text): the port must be 1-65535")
        }
        var transport = TransportProtocol.tcp
        if rest.count > 1 {
            guard let t = TransportProtocol(rawValue: rest[1].uppercased()) else {
                throw ValidationError("--port \(text): the protocol must be TCP, UDP or SCTP")
            }
            transport = t
        }
        return NamedPort(name: name, port: number, transport: transport)
    }

    /// `key=value` labels, checked.
    static func labels(_ words: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for w in words {
            do {
                let (k, v) = try Labels.parse(w)
                out[k] = v
            } catch { throw ValidationError("--label \(w): \(error)") }
        }
        return out
    }

    /// Creates or updates the Pod (nil keeps what it has); without a datastore only warns,
    /// since the daemon also gets the labels with the workload.
    static func write(name: String, namespace: String, labels: [String: String]?, ports: [NamedPort]?, datastore: DatastoreOptions) throws {
        let client: ResourceClient
        do { client = try datastore.client() } catch {
            if ports != nil { throw CLIFailure("--port needs the datastore (the Pod resource holds named ports): \(error)", code: 2) }
            FileHandle.standardError.write(Data("tern: warning: no datastore, the labels stay with the workload only: \(error)\n".utf8))
            return
        }
        for _ in 0..<16 {
            do throws(ResourceClient.Failure) {
                if var pod = try client.get(.pod, name: name, namespace: namespace) {
                    if let labels { pod.metadata.labels = labels }
                    if let ports { pod.spec = .pod(PodSpec(ports: ports)) }
                    _ = try client.replace(pod)
                } else {
                    _ = try client.create(Resource(metadata: ResourceMetadata(name: name, namespace: namespace, labels: labels ?? [:]),
                                                   spec: .pod(PodSpec(ports: ports ?? []))))
                }
                return
            } catch .store(.conflict), .alreadyExists {
                continue
            } catch {
                // Labels also travel with the workload; named ports live only in the Pod.
                if ports != nil { throw CLIFailure("Pod \(namespace)/\(name) not written: \(error)", code: 1) }
                FileHandle.standardError.write(Data("tern: warning: Pod \(namespace)/\(name) not written (\(error)); the labels stay with the workload only\n".utf8))
                return
            }
        }
        throw CLIFailure("Pod \(namespace)/\(name) kept changing; try again", code: 1)
    }
}
