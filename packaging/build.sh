#!/usr/bin/env bash
# Build the one-folder LLMasOS app with PyInstaller, then smoke-test it.
#
#   bash packaging/build.sh                 # current Python environment
#   bash packaging/build.sh --venv .venv-build   # a fresh venv with `pip install .` first
#   bash packaging/build.sh --smoke-only    # test an existing dist/LLMasOS
#
# Output: dist/LLMasOS/ (dist/LLMasOS.app on macOS); work files in build/pyinstaller/.
# The smoke test needs no display (QT_QPA_PLATFORM=offscreen). Set LLMASOS_SMOKE_MODEL to a
# small .gguf to also stream a few tokens through the bundled llama.cpp.
# See docs/PACKAGING.md for Windows, macOS, GPU builds and how long this takes.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
venv=""
build=1
smoke=1
while (($#)); do
  case "$1" in
    --venv) venv="$2"; shift 2 ;;
    --smoke-only) build=0; shift ;;
    --no-smoke) smoke=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -n "$venv" ]]; then
  "$PYTHON" -m venv "$venv"
  PYTHON="$venv/bin/python"
  # compiles llama.cpp on the first run (minutes); pip's cache makes later runs fast
  "$PYTHON" -m pip install .
fi

case "$(uname -s)" in
  Darwin) app="dist/LLMasOS.app/Contents/MacOS/LLMasOS" ;;
  MINGW*|MSYS*|CYGWIN*) app="dist/LLMasOS/LLMasOS.exe" ;;
  *) app="dist/LLMasOS/LLMasOS" ;;
esac

if ((build)); then
  "$PYTHON" -m pip install "pyinstaller>=6.10" "pyinstaller-hooks-contrib>=2024.8"
  start=$SECONDS
  "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/llmasos.spec
  echo "build: dist/LLMasOS built in $((SECONDS - start)) s ($(du -sh dist/LLMasOS | cut -f1))"
fi

((smoke)) || exit 0
[[ -x "$app" ]] || { echo "error: no built app at $app; run without --smoke-only" >&2; exit 1; }

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export LLMASOS_HOME="$home"  # never touch the builder's own settings or models

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

version="$("$app" --version)" || fail "--version exited $?"
[[ "$version" == "llmasos "* ]] || fail "--version printed '$version'"
echo "smoke: $version"

# The model probe re-runs the app as `LLMasOS -m llmasos.foundation.engine.probe MODEL`.
set +e
"$app" -m llmasos.foundation.engine.probe "$home/missing.gguf" >/dev/null 2>&1
rc=$?
set -e
[[ $rc == 3 ]] || fail "the bundled model probe exited $rc (expected 3 for a missing file)"
echo "smoke: model probe runs"

out="$(QT_QPA_PLATFORM=offscreen LLMASOS_SMOKE_TEST=1 timeout 180 "$app" 2>&1)" \
  || { echo "$out" >&2; fail "the app exited $? in the smoke test"; }
echo "$out" | grep '^smoke:' || true
grep -q '^smoke: window shown' <<<"$out" || { echo "$out" >&2; fail "the window did not show"; }
grep -q '^smoke: backend unavailable' <<<"$out" && fail "llama.cpp did not load in the bundle"

if [[ -n "${LLMASOS_SMOKE_MODEL:-}" ]]; then
  answer="$("$app" chat --model "$LLMASOS_SMOKE_MODEL" --max-tokens 8 --seed 1 --json "Hi")" \
    || fail "chat with $LLMASOS_SMOKE_MODEL exited $?"
  echo "smoke: chat $answer"
fi
echo "smoke: passed"
