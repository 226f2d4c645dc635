#!/usr/bin/env bash
# A SolrCloud cluster on loopback for searchidx: N Solr nodes and an embedded ZooKeeper in one JVM.
#
#   bash scaleout/solr/cluster.sh start [--nodes 2]   builds the launcher if needed, starts it in the
#                                                     background, waits until ready; last line SOLR_URL=...
#   bash scaleout/solr/cluster.sh stop                ends the process it started (and nothing else)
#   bash scaleout/solr/cluster.sh status              nodes and their state
#   bash scaleout/solr/cluster.sh node-stop I | node-start I   stop / restart node I (fault tests)
#
# Environment: SOLR_CLUSTER_STATE (state folder, default scaleout/solr/state), SOLR_CLUSTER_HEAP (-Xmx,
# default 640m), SOLR_CLUSTER_TIMEOUT (seconds to wait for readiness, default 120).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="${SOLR_CLUSTER_STATE:-$here/state}"
heap="${SOLR_CLUSTER_HEAP:-640m}"
timeout="${SOLR_CLUSTER_TIMEOUT:-120}"
pidfile="$state/cluster.pid"
jar="$here/target/searchidx-solr-cluster-1.0.jar"

die() { echo "cluster.sh: $*" >&2; exit 1; }

running() {  # the recorded pid is alive and is our launcher (not a recycled pid)
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -aq 'searchidx.scaleout.SolrCluster' "/proc/$pid/cmdline" 2>/dev/null
}

build() {
  command -v java >/dev/null || die "java not found (Java 17 is needed)"
  local newest
  newest="$(find "$here/pom.xml" "$here/src" -newer "$jar" -print -quit 2>/dev/null || true)"
  if [[ -f "$jar" && -d "$here/target/lib" && -z "$newest" ]]; then
    return
  fi
  command -v mvn >/dev/null || die "mvn not found (Maven 3.8 is needed to build the launcher)"
  # Offline when the local repository already holds everything (fast, no network); online otherwise.
  # Maven's output goes to stderr: stdout is `start`'s SOLR_URL line alone (Maven ends even a quiet run
  # with terminal reset codes, which would otherwise share that line).
  (cd "$here" && { mvn -B -q -o package -DskipTests >/dev/null 2>&1 || mvn -B -q package -DskipTests >&2; }) \
    || die "the launcher did not build (mvn package in $here)"
}

control() {  # control <path>: a request to the launcher's control server
  running || die "no cluster is running (state: $state)"
  local port; port="$(cat "$state/control.port")"
  if command -v curl >/dev/null; then
    curl -fsS "http://127.0.0.1:$port$1"
  else
    python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=120).read().decode())' \
      "http://127.0.0.1:$port$1"
  fi
}

start() {
  local nodes=2
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  if running; then
    echo "cluster already running (pid $(cat "$pidfile"))" >&2
    echo "SOLR_URL=$(cat "$state/solr.url")"
    return
  fi
  build
  rm -rf "$state"
  mkdir -p "$state"
  # setsid: the launcher gets its own session, so the caller's terminal signals do not reach it and
  # `stop` can end exactly this process group.
  setsid java -Xmx"$heap" -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dsolr.log.dir="$state" -Djava.io.tmpdir="$state" \
    -cp "$jar:$here/target/lib/*" searchidx.scaleout.SolrCluster --nodes "$nodes" --state "$state" \
    >"$state/cluster.out" 2>"$state/cluster.log" </dev/null &
  echo $! >"$pidfile"
  local waited=0
  while [[ ! -f "$state/solr.url" ]]; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -n 20 "$state/cluster.log" >&2 || true
      die "the cluster process ended before it was ready (log: $state/cluster.log)"
    fi
    if (( waited >= timeout * 5 )); then
      stop >/dev/null 2>&1 || true
      die "the cluster was not ready after ${timeout}s (log: $state/cluster.log)"
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  echo "SOLR_URL=$(cat "$state/solr.url")"
}

stop() {
  if ! running; then
    rm -f "$pidfile"
    echo "no cluster running" >&2
    return
  fi
  local pid; pid="$(cat "$pidfile")"
  local port; port="$(cat "$state/control.port" 2>/dev/null || true)"
  if [[ -n "$port" ]]; then  # orderly: Solr cores closed, ZooKeeper last
    control /shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  echo "cluster stopped (pid $pid)" >&2
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  status) control /nodes ;;
  memory) control /memory ;;
  node-stop) control "/stop?node=${1:?node-stop needs a node number}" ;;
  node-start) control "/start?node=${1:?node-start needs a node number}" ;;
  build) build ;;
  *) die "usage: cluster.sh start [--nodes N] | stop | status | memory | node-stop I | node-start I | build" ;;
esac
