#!/usr/bin/env bash
# provision-docker.sh — a real Docker engine + Docker Compose v2 (+ buildx) + a local
# busybox image on a Debian 12 (bookworm) root machine whose only outside access
# is Debian's apt archive (and npm). No systemd, no registry pulls.
#
#   bash scripts/provision-docker.sh up      # install (idempotent), start dockerd, import image
#   bash scripts/provision-docker.sh down    # stop the dockerd this script started (by its PID)
#
# Env:
#   CI_DOCKER_ENGINE=trixie   (default) docker.io 26.1 + docker-buildx 0.13 + docker-compose 2.26
#                             as .debs from Debian 13 "trixie"; containerd/runc/iptables/tini
#                             come from bookworm. Falls back to "bookworm" if that fails.
#   CI_DOCKER_ENGINE=bookworm docker.io 20.10.24 from bookworm + docker-compose 2.26 from trixie
#                             (API 1.41: no healthcheck start_interval, no buildx).
#   CI_DOCKER_IMAGE           tag of the imported busybox image (default local/busybox:latest)
#   CI_DOCKER_EXTRA_TAGS      more tags for it (default "busybox:latest", so the examples, which say
#                             `image: busybox:latest`, run offline; set it empty for none)
#   CI_DOCKER_STATE           scratch/log dir (default /tmp/stagecraft-docker)
#
# Written from ../shared/docker-engine/docker-engine.sh so that this project's CI stands on its own.
#
# The trixie .debs are fetched BY PACKAGE NAME with a throw-away apt config that
# reuses the mirror already configured in /etc/apt; the system's sources stay
# untouched. They only need libc6 >= 2.34 (bookworm has 2.36).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

STATE=${CI_DOCKER_STATE:-/tmp/stagecraft-docker}
ENGINE=${CI_DOCKER_ENGINE:-trixie}
IMAGE=${CI_DOCKER_IMAGE:-local/busybox:latest}
EXTRA_TAGS=${CI_DOCKER_EXTRA_TAGS-busybox:latest}
PLUGIN=/usr/libexec/docker/cli-plugins/docker-compose
mkdir -p "$STATE"

log() { echo "[provision-docker] $*" >&2; }
t() { local s; s=$(date +%s%N); "$@"; log "$(printf '%-15s' "$1") $(( ($(date +%s%N) - s) / 1000000 )) ms"; }

mirror_uri() {  # the Debian mirror this machine already uses (deb822 or one-line format)
  local u=""
  [ -f /etc/apt/sources.list.d/debian.sources ] &&
    u=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  [ -n "$u" ] || u=$(awk '/^deb / && !/security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
                      /etc/apt/sources.list 2>/dev/null | head -1)
  [ -n "$u" ] || { log "cannot find the Debian mirror in /etc/apt"; return 1; }
  echo "$u"
}

trixie_download() {  # trixie_download PKG... -> .debs in $STATE/trixie/debs
  local d="$STATE/trixie"
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/debs" "$d/none"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror_uri) trixie main" >"$d/sources.list"
  local o=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/none"
           -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
           -o "Dir::Etc::Preferences=$d/none" -o "Dir::Etc::PreferencesParts=$d/none"
           -o "APT::Sandbox::User=root")
  [ -n "$(ls "$d/lists"/*_Packages* 2>/dev/null)" ] || apt-get "${o[@]}" update -qq
  rm -f "$d"/debs/*.deb
  (cd "$d/debs" && apt-get "${o[@]}" download "$@" >/dev/null)
}

install_pkgs() {
  if command -v dockerd >/dev/null && [ -x "$PLUGIN" ]; then return; fi
  apt-get update -qq
  local d="$STATE/trixie/debs"
  if [ "$ENGINE" = trixie ]; then
    # trixie's docker.io has no CLI (that is docker-cli); these machines ship /usr/local/bin/docker 28.x
    local cli=(); command -v docker >/dev/null || cli=(docker-cli)
    if trixie_download docker.io docker-compose docker-buildx "${cli[@]}" &&
       apt-get install -y -qq --no-install-recommends "$d"/*.deb >"$STATE/apt.log" 2>&1; then
      rm -f "$d"/*.deb; return
    fi
    log "trixie engine failed, falling back to bookworm's docker.io:"; tail -5 "$STATE/apt.log" >&2 || true
  fi
  trixie_download docker-compose
  apt-get install -y -qq --no-install-recommends docker.io "$d"/docker-compose_*.deb >"$STATE/apt.log" 2>&1 \
    || { cat "$STATE/apt.log" >&2; return 1; }
  rm -f "$d"/*.deb
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then log "dockerd already running"; return; fi
  # a pid file left by a dockerd that was SIGKILLed with the last session
  if [ -f /var/run/docker.pid ] && ! grep -qs '^dockerd$' "/proc/$(cat /var/run/docker.pid)/comm"; then
    rm -f /var/run/docker.pid
  fi
  # policy-rc.d blocks the packaged service and there is no systemd: start it by hand.
  # setsid keeps dockerd out of the caller's process group, so a test that sends
  # SIGINT to its own group (Ctrl+C emulation) cannot hit the daemon.
  setsid /usr/sbin/dockerd --log-level=warn >"$STATE/dockerd.log" 2>&1 </dev/null &
  echo $! >"$STATE/dockerd.pid"
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return
    kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null || break
    sleep 0.25
  done
  log "dockerd did not come up:"; tail -30 "$STATE/dockerd.log" >&2; return 1
}

import_image() {  # busybox-static's binary (from the .deb, not installed) -> a ~2 MB image
  local w="$STATE/bb"; rm -rf "$w"; mkdir -p "$w/deb" "$w/rootfs"/{bin,etc,tmp,root}
  (cd "$w/deb" && apt-get -o APT::Sandbox::User=root download busybox-static >/dev/null 2>&1) ||
    { apt-get update -qq && (cd "$w/deb" && apt-get -o APT::Sandbox::User=root download busybox-static >/dev/null); }
  dpkg-deb -x "$w"/deb/busybox-static_*.deb "$w/x"
  cp "$w/x/bin/busybox" "$w/rootfs/bin/busybox"
  for a in $("$w/rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$w/rootfs/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$w/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$w/rootfs/etc/group"
  chmod 1777 "$w/rootfs/tmp"
  tar -C "$w/rootfs" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$IMAGE" >/dev/null
}

make_image() {
  docker image inspect "$IMAGE" >/dev/null 2>&1 || import_image
  local tag; for tag in $EXTRA_TAGS; do docker tag "$IMAGE" "$tag"; done
}

stop_dockerd() {
  local f="$STATE/dockerd.pid" pid
  [ -f "$f" ] || { log "no dockerd started by this script"; return 0; }
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null && grep -qs '^dockerd$' "/proc/$pid/comm"; then
    kill -TERM "$pid"   # dockerd stops its containers and the containerd it started
    for _ in $(seq 1 160); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && { log "dockerd $pid still alive after 40s"; return 1; }
  fi
  rm -f "$f"
}

case "${1:-up}" in
  up)
    T0=$(date +%s%N)
    t install_pkgs
    t start_dockerd
    t make_image
    log "ready in $(( ($(date +%s%N) - T0) / 1000000 )) ms: engine $(docker version -f '{{.Server.Version}} (API {{.Server.APIVersion}})'), compose $(docker compose version --short)"
    ;;
  down) t stop_dockerd ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
