#!/usr/bin/env bash
# Builds cyclonus v0.5.6 (github.com/mattfenwick/cyclonus, command in cmd/cyclonus) from the Go module proxy into a
# cache directory, for the NetworkPolicy ground-truth test (test/oracles/cyclonus.test.ts).
# Neither its source nor its binary is committed; the binary lands in
# ${BULWARK_CYCLONUS_DIR:-$HOME/.cache/bulwark/cyclonus}/bin/cyclonus.
#
# `go install pkg@version` is tried first. If the module's own go.mod cannot be used that way
# (replace directives make `go install` refuse it), a throw-away wrapper module requires the
# same version and builds it instead.
set -euo pipefail

VERSION="${CYCLONUS_VERSION:-v0.5.6}"
DIR="${BULWARK_CYCLONUS_DIR:-$HOME/.cache/bulwark/cyclonus}"
BIN="$DIR/bin/cyclonus"

if [[ -x "$BIN" && -f "$DIR/bin/VERSION" && "$(cat "$DIR/bin/VERSION")" == "$VERSION" ]]; then
  echo "cyclonus $VERSION already built: $BIN"
  exit 0
fi
command -v go >/dev/null || { echo "go is not on PATH; cannot build cyclonus" >&2; exit 1; }
mkdir -p "$DIR/bin"

if GOFLAGS=-mod=mod GOBIN="$DIR/bin" CGO_ENABLED=0 \
    go install "github.com/mattfenwick/cyclonus/cmd/cyclonus@$VERSION"; then
  echo "$VERSION" > "$DIR/bin/VERSION"
  echo "built $BIN (go install)"
  exit 0
fi

echo "go install failed; trying a wrapper module" >&2
WRAP="$DIR/wrapper"
rm -rf "$WRAP" && mkdir -p "$WRAP"
cd "$WRAP"
cat > go.mod <<MOD
module bulwark.dev/cyclonus-wrapper

go 1.22

require github.com/mattfenwick/cyclonus $VERSION
MOD
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/mattfenwick/cyclonus/cmd/cyclonus"
GO
GOFLAGS=-mod=mod go mod tidy
GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$BIN" github.com/mattfenwick/cyclonus/cmd/cyclonus
echo "$VERSION" > "$DIR/bin/VERSION"
echo "built $BIN (wrapper module)"
