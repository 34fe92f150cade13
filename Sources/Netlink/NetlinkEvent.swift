/// A change the kernel announced on an rtnetlink multicast group.
public enum NetlinkEvent: Hashable, Sendable {
    /// RTM_NEWLINK for a device just registered (`ifi_change` = ~0).
    case linkAdded(Link)
    /// RTM_NEWLINK for an existing device (flags, MTU, master... changed).
    case linkChanged(Link)
    /// RTM_DELLINK.
    case linkRemoved(Link)
    /// RTM_NEWADDR.
    case addressAdded(Address)
    /// RTM_DELADDR.
    case addressRemoved(Address)
    /// RTM_NEWROUTE (the route carries its protocol, so the agent can tell its own).
    case routeAdded(Route)
    /// RTM_DELROUTE.
    case routeRemoved(Route)
    /// RTM_NEWNEIGH.
    case neighbourAdded(Neighbour)
    /// RTM_DELNEIGH.
    case neighbourRemoved(Neighbour)
    /// The socket's receive buffer overflowed (ENOBUFS): events were lost and the
    /// caller must resync everything from dumps.
    case overrun

    /// Maps one monitor message to an event; `nil` for types it does not handle or
    /// messages that do not parse.
    public static func parse(_ m: NetlinkMessage) -> NetlinkEvent? {
        switch m.type {
        case NL.newLink:
            guard let l = LinkMessage.parse(m) else { return nil }
            return LinkMessage.change(m) == UInt32.max ? .linkAdded(l) : .linkChanged(l)
        case NL.delLink: return LinkMessage.parse(m).map(NetlinkEvent.linkRemoved)
        case NL.newAddr: return AddressMessage.parse(m).map(NetlinkEvent.addressAdded)
        case NL.delAddr: return AddressMessage.parse(m).map(NetlinkEvent.addressRemoved)
        case NL.newRoute: return RouteMessage.parse(m).map(NetlinkEvent.routeAdded)
        case NL.delRoute: return RouteMessage.parse(m).map(NetlinkEvent.routeRemoved)
        case NL.newNeigh: return NeighbourMessage.parse(m).map(NetlinkEvent.neighbourAdded)
        case NL.delNeigh: return NeighbourMessage.parse(m).map(NetlinkEvent.neighbourRemoved)
        default: return nil
        }
    }
}
