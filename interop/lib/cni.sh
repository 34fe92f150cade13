# shellcheck shell=bash
# shellcheck disable=SC2034 # a library: the variables it sets are read by the scripts that source it
# The CNI plugin driven as libcni drives it (containernetworking/cni pkg/invoke): the
# environment (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH),
# the network configuration on stdin, the result or error on stdout, the exit status.
# Source after netns.sh (and datastore.sh).
#
#   cni_install                  the plugin as $CNI_BIN/tern and $CNI_BIN/tern-ipam
#   cni_call NODE OUT CMD ID NETNS CONF [IFNAME] [CNI_ARGS] [PLUGIN]
#                                runs PLUGIN (default tern) in NODE's namespace; stdout
#                                in $WORK/OUT.json, exit status in CNI_RC
#   cni_conf NAME VERSION SOCKET [EXTRA_JSON]   a plugin config (not a conflist) on stdout
#   jget FILE PATH               a field of a JSON file ("interfaces.1.sandbox"); exit 1 if absent
#   jset FILE KEY JSONFILE       FILE with top-level KEY set to JSONFILE's value (prevResult)

TERN_CNI=${TERN_CNI:-$(dirname "$TERN")/tern-cni}
CNI_BIN="$WORK/cni-bin"

# cni_require TOOL... : what every CNI topology needs (root, the tools, tern and tern-cni), else skip.
# shellcheck disable=SC2120 # the tools are optional
cni_require() {
  require_root
  require_tools ip python3 ping "$@"
  [ -n "$STANDIN" ] && skip_all "the CNI plugin is tern's own (no stand-in)"
  require_tern
  [ -x "$TERN_CNI" ] || skip_all "no tern-cni binary at $TERN_CNI"
}

cni_install() {
  mkdir -p "$CNI_BIN" || return 1
  [ -x "$TERN_CNI" ] || { log "no CNI plugin at $TERN_CNI (swift build makes .build/debug/tern-cni)"; return 1; }
  cp "$TERN_CNI" "$CNI_BIN/tern" && cp "$TERN_CNI" "$CNI_BIN/tern-ipam"
}

cni_call() {
  local node=$1 out=$2 cmd=$3 id=$4 netns=$5 conf=$6 ifname=${7:-eth0} args=${8:-} plugin=${9:-tern}
  CNI_RC=0
  ip netns exec "$(ns_name "$node")" env -i PATH="$PATH" CNI_COMMAND="$cmd" CNI_CONTAINERID="$id" CNI_NETNS="$netns" \
    CNI_IFNAME="$ifname" CNI_ARGS="$args" CNI_PATH="$CNI_BIN:/usr/lib/cni" \
    "$CNI_BIN/$plugin" <"$conf" >"$WORK/$out.json" 2>"$WORK/$out.err" || CNI_RC=$?
  log "cni $cmd $id -> rc $CNI_RC: $(head -c 400 "$WORK/$out.json")"
}

cni_conf() {
  local name=$1 version=$2 socket=$3 extra=${4:-}
  printf '{"cniVersion":"%s","name":"%s","type":"tern","controlSocket":"%s","ipam":{"type":"tern-ipam"}%s}\n' \
    "$version" "$name" "$socket" "${extra:+,$extra}"
}

jget() {
  python3 - "$1" "$2" <<'PY'
import json, sys
try:
    v = json.load(open(sys.argv[1]))
except Exception as e:
    print("unparsable: %s" % e); sys.exit(2)
for part in sys.argv[2].split(".") if sys.argv[2] else []:
    try:
        v = v[int(part)] if isinstance(v, list) else v[part]
    except (KeyError, IndexError, ValueError, TypeError):
        print("absent"); sys.exit(1)
print(json.dumps(v) if isinstance(v, (dict, list)) else v)
PY
}

jset() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); v[sys.argv[2]] = json.load(open(sys.argv[3])); print(json.dumps(v))
PY
}
