// IPCore: the address vocabulary shared by every Tern target (docs/ARCHITECTURE.md, L0).
//
// Pure: no Foundation, no Glibc, no I/O. Integer-backed values validated once at their
// initialiser, so nothing downstream converts or re-checks:
// - IPv4Address / IPv6Address / IPAddress: RFC 791, RFC 4291 (text: RFC 4291 §2.2 in,
//   RFC 5952 out)
// - IPv4Prefix / IPv6Prefix / IPPrefix: host bits zero (RFC 4632 §3.1)
// - InterfaceAddress: an interface's address with its subnet length (host bits kept)
// - MACAddress: EUI-48 (IEEE 802)
// - InterfaceName: a Linux interface name as dev_valid_name() accepts it
