#!/usr/bin/env bash
# Builds the local Kubernetes control plane used by Bulwark's e2e tests and demo:
# kube-apiserver, kube-controller-manager, etcd and (when wanted) kubectl, from
# the pinned Go modules in tools/controlplane/{kube,etcd}. Binaries cannot be
# downloaded on our machines, but the Go module proxy is reachable.
#
# Output: ${BULWARK_CACHE:-~/.cache/bulwark}/controlplane/<key>/bin/, where <key>
# names the pinned versions plus a hash of the wrapper modules, so a version bump
# builds into a fresh directory and an unchanged pin is a no-op. The bin
# directory's absolute path is the only thing printed on stdout; progress goes
# to stderr.
#
# Environment:
#   BULWARK_CACHE    cache root (default ${XDG_CACHE_HOME:-~/.cache}/bulwark)
#   BULWARK_KUBECTL  auto (default): build kubectl only when none on PATH is
#                    within the supported version skew (one minor) of the
#                    server; always; never.
#   BULWARK_BUILD_JOBS  go build -p (default: number of cores).
#
# Usage: tools/controlplane/build.sh [--print-key]
set -euo pipefail

# Everything runs inside main(), which bash parses whole before running: an
# edit to this file during a (minutes-long) build cannot change the running one.
main() {
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  kube_mod="$here/kube"
  etcd_mod="$here/etcd"

  log() { printf '[controlplane] %s\n' "$*" >&2; }
  die() { log "error: $*"; exit 1; }

  command -v go >/dev/null 2>&1 || die "go is not on PATH; install Go 1.26+ (https://go.dev/dl) to build the control plane"

  # Bump when the way binaries are built changes (flags, ldflags), so caches made
  # by an older recipe are not reused.
  recipe=2

  # The version that follows a module path in a require line or block.
  required_version() { # go.mod module-path
    awk -v m="$2" '$1 !~ /^\/\// { for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$1"
  }
  kube_version="$(required_version "$kube_mod/go.mod" k8s.io/kubernetes)"
  etcd_version="$(required_version "$etcd_mod/go.mod" go.etcd.io/etcd/server/v3)"
  [[ "$kube_version" =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || die "cannot read the k8s.io/kubernetes version from $kube_mod/go.mod"
  kube_minor="${BASH_REMATCH[1]}"
  [[ -n "$etcd_version" ]] || die "cannot read the etcd version from $etcd_mod/go.mod"

  hash="$(
    {
      echo "recipe=$recipe"
      # Comments do not change what is built, so editing them keeps the cache.
      grep -hv '^[[:space:]]*//' "$kube_mod/go.mod" "$etcd_mod/go.mod"
      cat "$kube_mod/go.sum" "$etcd_mod/go.sum" "$etcd_mod/main.go"
    } | sha256sum | cut -c1-12
  )"
  key="k8s-${kube_version}-etcd-${etcd_version}-${hash}"
  if [[ "${1:-}" == "--print-key" ]]; then
    echo "$key"
    exit 0
  fi

  cache_root="${BULWARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark}"
  out="$cache_root/controlplane/$key"
  bin="$out/bin"
  mkdir -p "$bin"

  # Two e2e runs (or a test and the demo) may start at once; only one builds.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$out/.lock"
    if ! flock -n 9; then
      log "another build of $key is running; waiting for it"
      flock 9
    fi
  fi

  # kubectl: the machine image may ship an old one (1.32 against a 1.36 server is
  # outside kubectl's supported skew of one minor version). Building it adds a
  # little to the cold build because it shares most packages with the servers.
  want_kubectl=0
  case "${BULWARK_KUBECTL:-auto}" in
    always) want_kubectl=1 ;;
    never) want_kubectl=0 ;;
    auto)
      if [[ -x "$bin/kubectl" ]]; then
        want_kubectl=1
      elif ! command -v kubectl >/dev/null 2>&1; then
        log "no kubectl on PATH; building one"
        want_kubectl=1
      else
        sys_minor="$(kubectl version --client -o json 2>/dev/null |
          sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -n1)"
        if [[ -z "$sys_minor" ]] || ((sys_minor < kube_minor - 1 || sys_minor > kube_minor + 1)); then
          log "kubectl on PATH is 1.${sys_minor:-?}, outside the supported skew of ${kube_version}; building a matching one"
          want_kubectl=1
        fi
      fi
      ;;
    *) die "BULWARK_KUBECTL must be auto, always or never (got '${BULWARK_KUBECTL}')" ;;
  esac

  export CGO_ENABLED=0
  # -trimpath: paths of this machine stay out of the binaries; -buildvcs=false:
  # the wrapper modules live inside the project's git tree, whose state must not
  # change the build.
  export GOFLAGS="-trimpath -buildvcs=false -mod=readonly"
  jobs="${BULWARK_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"

  # go build -v names each package as it compiles it; count them against the
  # dependency total so a five-minute build shows where it is.
  go_build() { # module-dir ldflags out-dir packages...
    local dir="$1" ldflags="$2" dest="$3"
    shift 3
    local total
    total="$(cd "$dir" && go list -deps "$@" 2>/dev/null | wc -l)" || total=0
    local start=$SECONDS step=$((total / 20)) next n=0
    ((step > 0)) || step=50
    next=$step
    (cd "$dir" && go build -p "$jobs" -v -ldflags "$ldflags" -o "$dest/" "$@" 2>&1) |
      while IFS= read -r line; do
        if [[ "$line" == *" "* || "$line" == "#"* ]]; then
          # Compiler errors and warnings, not package names: show them as they come.
          printf '%s\n' "$line" >&2
          continue
        fi
        n=$((n + 1))
        if ((n >= next)); then
          log "  compiled $n/$total packages ($((SECONDS - start))s)"
          next=$((next + step))
        fi
      done
  }

  build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  kube_ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kube_ldflags+=" -X $pkg.gitVersion=$kube_version"
    kube_ldflags+=" -X $pkg.gitMajor=1"
    kube_ldflags+=" -X $pkg.gitMinor=$kube_minor"
    kube_ldflags+=" -X $pkg.gitTreeState=clean"
    kube_ldflags+=" -X $pkg.buildDate=$build_date"
  done

  install_built() { # tmp-dir names...: move finished binaries into place atomically
    local tmp="$1"
    shift
    for name in "$@"; do
      mv -f "$tmp/$name" "$bin/$name"
    done
  }

  build_step() { # label module-dir ldflags names... -- packages...
    local label="$1" dir="$2" ldflags="$3"
    shift 3
    local names=()
    while [[ "$1" != "--" ]]; do
      names+=("$1")
      shift
    done
    shift
    local missing=0
    for name in "${names[@]}"; do
      [[ -x "$bin/$name" ]] || missing=1
    done
    if ((missing == 0)); then
      return 0
    fi
    log "building $label (${names[*]})"
    local tmp start=$SECONDS
    tmp="$(mktemp -d "$out/.build.XXXXXX")"
    # shellcheck disable=SC2064  # expand $tmp now: it is local to this call
    trap "rm -rf '$tmp'" EXIT
    go_build "$dir" "$ldflags" "$tmp" "$@"
    install_built "$tmp" "${names[@]}"
    rm -rf "$tmp"
    trap - EXIT
    log "built $label in $((SECONDS - start))s"
  }

  total_start=$SECONDS
  build_step "Kubernetes $kube_version servers" "$kube_mod" "$kube_ldflags" \
    kube-apiserver kube-controller-manager -- \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  if ((want_kubectl)); then
    build_step "kubectl $kube_version" "$kube_mod" "$kube_ldflags" kubectl -- k8s.io/kubernetes/cmd/kubectl
  fi
  build_step "etcd $etcd_version" "$etcd_mod" "-s -w" etcd -- .

  if ((SECONDS - total_start > 0)); then
    log "control plane ready in $bin ($((SECONDS - total_start))s)"
  fi
  echo "$bin"
}

main "$@"
