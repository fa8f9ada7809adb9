#!/usr/bin/env bash
# Install the Debian packages the tests need (Chromium, PostgreSQL, Pango for PDFs) when missing.
# As root they are installed with apt-get; otherwise the tests that need them skip, except
# under CI (CI=true), where a missing package fails the run.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# WeasyPrint (PDF exports) draws text with Pango and HarfBuzz.
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || missing+=(libharfbuzz-subset0)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

if [ "${CI:-}" = "true" ]; then
  echo "CI needs ${missing[*]}, and this user cannot install them (not root or no apt-get)." >&2
  exit 1
fi
echo "Note: ${missing[*]} missing and not installable here; the tests needing them will skip."
