#!/usr/bin/env bash
# Run by `npm test` before any test: brings what the suite needs from Debian's archive onto a
# fresh machine (Chromium for the browser tests, the Debian Python with torch for the training
# smoke tests, the Fashion-MNIST files). As root it installs what is missing; otherwise it stops
# at once with the one command that would (no test runs only to fail one by one).
set -euo pipefail

need=()
have_browser() {
  [ -n "${MGNT_CHROMIUM:-}" ] && [ -x "${MGNT_CHROMIUM}" ] && return 0
  for p in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do [ -x "$p" ] && return 0; done
  # Playwright's own browser, where someone installed it.
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium*/chrome-linux*/chrome >/dev/null 2>&1
}
have_browser || need+=(chromium)
/usr/bin/python3 -c 'import torch, numpy, PIL' >/dev/null 2>&1 \
  || need+=(python3-torch python3-numpy python3-pil libopenblas0-openmp)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)

((${#need[@]} == 0)) && exit 0

cmd="apt-get update && apt-get install -y ${need[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "mgnt: the tests need Debian packages that are missing: ${need[*]}" >&2
  echo "mgnt: install them with:  sudo sh -c '$cmd'   then run npm test again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "mgnt: missing ${need[*]} and no apt-get here: install the equivalents (see README, 'Set-up')." >&2
  exit 1
fi
echo "mgnt: installing ${need[*]} from Debian (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
echo "mgnt: installed ${need[*]}"
