# Tern — build, test, demo, benchmark. Every target that needs system packages calls
# `deps` first, so `make demo` and `make test` work on a fresh Debian machine as root.

SWIFT        ?= swift
CONFIG       ?= debug
BUILD_FLAGS  ?= --explicit-target-dependency-import-check error
export BUILD_FLAGS
SECONDS      ?= 60
TERN         := .build/$(CONFIG)/tern

# Debian packages Tern's build, tests, demo and benchmarks use.
APT_PACKAGES := libmnl-dev pkg-config bird2 gobgpd exabgp iproute2 iputils-ping tcpdump strace python3 procps shellcheck \
                libcurl4-openssl-dev etcd-server etcd-client curl openssl \
                podman runc containernetworking-plugins busybox-static containerd iptables prometheus frr \
                libnftables-dev nftables conntrack iperf3 ipset

.PHONY: install interop all deps build release test test-ipip-vm demo demo-vxlan bench fuzz corpus captures clean

all: build

## deps: install missing Debian packages (apt-get), once.
deps:
	@scripts/deps.sh $(APT_PACKAGES)

## build: debug build of every target.
build: deps
	$(SWIFT) build $(BUILD_FLAGS)

## install: `tern` in /usr/local/bin, the CNI plugin as /opt/cni/bin/tern and /opt/cni/bin/tern-ipam,
## and etc/cni/10-tern.conflist as /etc/cni/net.d/10-tern.conflist unless one is there (docs/CNI.md).
CNI_BIN_DIR  ?= /opt/cni/bin
CNI_CONF_DIR ?= /etc/cni/net.d
install: build
	install -D -m 0755 .build/$(CONFIG)/tern $(DESTDIR)/usr/local/bin/tern
	install -D -m 0755 .build/$(CONFIG)/tern-cni $(DESTDIR)$(CNI_BIN_DIR)/tern
	install -D -m 0755 .build/$(CONFIG)/tern-cni $(DESTDIR)$(CNI_BIN_DIR)/tern-ipam
	@if [ -e $(DESTDIR)$(CNI_CONF_DIR)/10-tern.conflist ]; then echo "kept $(CNI_CONF_DIR)/10-tern.conflist"; \
	 else install -D -m 0644 etc/cni/10-tern.conflist $(DESTDIR)$(CNI_CONF_DIR)/10-tern.conflist; fi

## release: optimised build (used by benchmarks and the fuzzer's seed checks).
release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

## test: unit tests, corpus through `tern decode`, a 60 s fuzz run; prints `N passed, N failed, N skipped`.
test: deps
	@scripts/test.sh

## interop: `make interop` lists the topologies; `make interop T=NAME` builds, runs
## interop/topologies/NAME.sh with TERN set (root), prints its lines and a count.
interop:
ifeq ($(T),)
	@scripts/topologies.sh --list
else
	@$(MAKE) --no-print-directory build
	@TERN=$(CURDIR)/$(TERN) scripts/topologies.sh --summary $(T)
endif

## test-ipip-vm: IPIP end to end (overlay-ipip) inside a qemu VM on Debian's stock kernel,
## which has the ipip module this host lacks (interop/qemu/). Not part of `make test`.
IPIP_SCRIPT ?= interop/topologies/overlay-ipip.sh
test-ipip-vm: deps
	$(SWIFT) build $(BUILD_FLAGS)
	@interop/qemu/test-ipip-vm.sh $(TERN) $(IPIP_SCRIPT)

## demo: build, then decode and pretty-print real BGP sessions captured from BIRD 2 and GoBGP.
demo: deps build
	@scripts/demo.sh $(TERN)

## demo-vxlan: three Tern nodes on two subnets behind a router; VXLAN (CrossSubnet) pods ping across.
demo-vxlan: deps build
	@TERN=$(CURDIR)/$(TERN) scripts/demo-vxlan.sh

## bench: codec benchmarks (package-benchmark); figures go to docs/PERFORMANCE.md.
bench: deps
	@scripts/bench.sh

## fuzz: libFuzzer over the framer + decoder for SECONDS seconds (default 60).
fuzz: deps
	@scripts/fuzz.sh $(SECONDS)

## corpus: regenerate the malformed-message corpus from its Python source.
corpus:
	python3 interop/corpus/make_corpus.py

## captures: re-capture BIRD/GoBGP sessions in network namespaces (root).
captures: deps
	interop/capture/capture.sh

clean:
	rm -rf .build .build-* fuzz/out
