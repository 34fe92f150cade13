/// An UPDATE message (RFC 4271 §4.3), with multiprotocol reach/unreach (RFC 4760).
///
/// ```
/// +-----------------------------------------------------+
/// |   Withdrawn Routes Length (2 octets)                |
/// +-----------------------------------------------------+
/// |   Withdrawn Routes (variable)                       |
/// +-----------------------------------------------------+
/// |   Total Path Attribute Length (2 octets)            |
/// +-----------------------------------------------------+
/// |   Path Attributes (variable)                        |
/// +-----------------------------------------------------+
/// |   Network Layer Reachability Information (variable) |
/// +-----------------------------------------------------+
/// ```
/// Withdrawn Routes and NLRI hold IPv4 unicast prefixes (`<length, prefix>`, with a 4-octet
/// path identifier first when ADD-PATH is negotiated, RFC 7911 §3). MP_REACH_NLRI and
/// MP_UNREACH_NLRI are path attributes on the wire but are held here, apart from
/// ``PathAttributes``, so one attribute set can be shared by many prefixes.
public struct UpdateMessage: Hashable, Sendable {
    /// IPv4 Withdrawn Routes field.
    public var withdrawn: [NLRI]
    /// The path attributes other than MP_REACH_NLRI / MP_UNREACH_NLRI.
    public var attributes: PathAttributes
    /// IPv4 NLRI field.
    public var nlri: [NLRI]
    /// MP_REACH_NLRI, if present.
    public var mpReach: MPReachNLRI?
    /// MP_UNREACH_NLRI, if present.
    public var mpUnreach: MPUnreachNLRI?

    public init(withdrawn: [NLRI] = [], attributes: PathAttributes = PathAttributes(), nlri: [NLRI] = [],
                mpReach: MPReachNLRI? = nil, mpUnreach: MPUnreachNLRI? = nil) {
        self.withdrawn = withdrawn
        self.attributes = attributes
        self.nlri = nlri
        self.mpReach = mpReach
        self.mpUnreach = mpUnreach
    }
}

// MARK: - End-of-RIB (RFC 4724 §2)

extension UpdateMessage {
    /// The End-of-RIB marker for `family`: an empty UPDATE for IPv4 unicast, otherwise an
    /// UPDATE holding only an empty MP_UNREACH_NLRI of that family.
    public static func endOfRIB(_ family: AddressFamily) -> UpdateMessage {
        if family == .ipv4Unicast { return UpdateMessage() }
        return UpdateMessage(mpUnreach: MPUnreachNLRI(family: family, withdrawn: []))
    }

    /// The family whose End-of-RIB marker this message is, or nil.
    public var endOfRIBFamily: AddressFamily? {
        guard withdrawn.isEmpty, nlri.isEmpty, mpReach == nil, attributes.isEmpty else { return nil }
        guard let u = mpUnreach else { return .ipv4Unicast }
        return u.withdrawn.isEmpty && u.unsupportedNLRI.isEmpty ? u.family : nil
    }
}

// MARK: - Prefixes for treat-as-withdraw (RFC 7606 §2)

extension UpdateMessage {
    /// Every prefix the message names: withdrawn routes, NLRI, MP_REACH and MP_UNREACH NLRI.
    /// When the decode says treat-as-withdraw, these are the routes to remove.
    public var allPrefixes: [NLRI] {
        var out: [NLRI] = []
        out.reserveCapacity(withdrawn.count + nlri.count + (mpReach?.nlri.count ?? 0) + (mpUnreach?.withdrawn.count ?? 0))
        out += withdrawn
        out += nlri
        if let m = mpReach { out += m.nlri }
        if let m = mpUnreach { out += m.withdrawn }
        return out
    }

    /// The message as RFC 7606 treat-as-withdraw sees it: nothing announced, every prefix
    /// withdrawn (IPv4 unicast in Withdrawn Routes, others in MP_UNREACH_NLRI).
    public var treatedAsWithdraw: UpdateMessage {
        var out = UpdateMessage(withdrawn: withdrawn + nlri)
        if let r = mpReach {
            if r.family == .ipv4Unicast && MPReachNLRI.decodes(r.family) {
                out.withdrawn += r.nlri
            } else {
                out.mpUnreach = MPUnreachNLRI(family: r.family, withdrawn: r.nlri)
            }
        }
        if let u = mpUnreach {
            if u.family == .ipv4Unicast {
                out.withdrawn += u.withdrawn
            } else if out.mpUnreach?.family == u.family {
                out.mpUnreach?.withdrawn += u.withdrawn
            } else {
                out.mpUnreach = u
            }
        }
        return out
    }
}

// MARK: - Decode (RFC 4271 §6.3, RFC 7606)

extension UpdateMessage {
    /// Decodes an UPDATE body. `r` is positioned after the 19-byte header; its window is the body.
    ///
    /// Session-ending errors are thrown (RFC 4271 §6.3 code 3 subcodes); problems RFC 7606
    /// lets the session survive come back in ``DecodedMessage/issues``. A treat-as-withdraw
    /// message still carries every prefix it named (see ``allPrefixes``).
    public static func decode(body r: inout ByteReader, context: CodecContext) throws(MessageError) -> DecodedMessage {
        let malformedList = NotificationCode.Update.malformedAttributeList
        guard r.remaining >= 4 else {
            throw MessageError.update(malformedList, reason: "UPDATE body of \(r.remaining) bytes is shorter than its two length fields")
        }
        // RFC 4271 §6.3: a length field overrunning the message -> 3/1.
        let wlen = Int((try? r.readUInt16()) ?? 0)
        guard wlen <= r.remaining - 2, var wr = try? r.readReader(wlen) else {
            throw MessageError.update(malformedList, reason: "withdrawn routes length \(wlen) overruns the message (\(r.remaining - 2) bytes left)")
        }
        let alen = Int((try? r.readUInt16()) ?? 0)
        guard let ar = try? r.readReader(alen) else {
            throw MessageError.update(malformedList, reason: "total path attribute length \(alen) overruns the message (\(r.remaining) bytes left)")
        }
        var nr = r.readRest()

        // RFC 4271 §6.3: a syntactically incorrect prefix -> 3/10.
        let v4AddPath = context.hasAddPath(.ipv4Unicast)
        let withdrawn: [NLRI]
        do { withdrawn = try NLRI.decodeList(from: &wr, family: .ipv4Unicast, addPath: v4AddPath) } catch {
            throw MessageError.update(NotificationCode.Update.invalidNetworkField, reason: "withdrawn routes: \(error)")
        }
        let nlri: [NLRI]
        do { nlri = try NLRI.decodeList(from: &nr, family: .ipv4Unicast, addPath: v4AddPath) } catch {
            throw MessageError.update(NotificationCode.Update.invalidNetworkField, reason: "NLRI: \(error)")
        }

        var issues: [UpdateIssue] = []
        // Decoded into locals that are then moved into the message (the attribute set is never copied).
        var attributes = PathAttributes()
        var mpReach: MPReachNLRI?
        var mpUnreach: MPUnreachNLRI?
        var seen = AttributeCodeSet()
        try PathAttributes.decodeBlock(ar, context: context, hasIPv4Prefixes: !withdrawn.isEmpty || !nlri.isEmpty,
                                       issues: &issues, attributes: &attributes, mpReach: &mpReach,
                                       mpUnreach: &mpUnreach, seen: &seen)

        // RFC 7606 §3 d: missing well-known mandatory attributes -> treat-as-withdraw, but only
        // when the UPDATE announces something. NEXT_HOP is needed only for IPv4 NLRI
        // (RFC 4760 §3: not with MP_REACH_NLRI alone).
        let announces = !nlri.isEmpty || !(mpReach?.nlri.isEmpty ?? true) || !(mpReach?.unsupportedNLRI.isEmpty ?? true)
        if announces {
            func require(_ code: UInt8) {
                guard !seen.contains(code) else { return }
                issues.append(UpdateIssue(.treatAsWithdraw, attributeCode: code,
                                          reason: "missing well-known mandatory attribute \(AttributeCode.name(code))"))
            }
            require(AttributeCode.origin)
            require(AttributeCode.asPath)
            if !nlri.isEmpty { require(AttributeCode.nextHop) }
        }

        return DecodedMessage(.update(UpdateMessage(withdrawn: withdrawn, attributes: attributes, nlri: nlri,
                                                    mpReach: mpReach, mpUnreach: mpUnreach)),
                              issues: issues)
    }
}

// MARK: - Encode

extension UpdateMessage {
    /// Appends the UPDATE body (the header is written by ``BGPMessage``), attributes in
    /// type-code order, AS widths per `context.fourOctetAS`, path identifiers per add-path.
    public func encode(into w: inout ByteWriter, context: CodecContext) {
        let v4AddPath = context.hasAddPath(.ipv4Unicast)
        let wl = w.reserveLength16()
        for x in withdrawn { x.encode(into: &w, addPath: v4AddPath) }
        w.patchLength16(at: wl)
        let al = w.reserveLength16()
        attributes.encode(into: &w, context: context, mpReach: mpReach, mpUnreach: mpUnreach)
        w.patchLength16(at: al)
        for x in nlri { x.encode(into: &w, addPath: v4AddPath) }
    }
}
