#!/usr/bin/env bash
# datastore-etcd-mesh: datastore-file's cluster (three nodes registering, BIRD in the mesh,
# pods pinging, a live BGPPeer, a fourth node joining, one deleted) on a real etcd.
DS_KIND=etcd exec "$(dirname "$0")/datastore-file.sh" "$@"
