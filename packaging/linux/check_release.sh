#!/usr/bin/env bash
# Proves a release archive works as an artist would get it: unpacked outside the source tree, started
# with an empty environment (HOME in a fresh temporary folder, no Python, no source) and no network.
#   bash packaging/linux/check_release.sh dist/glide-desktop-VERSION-linux-x86_64.tar.gz
set -euo pipefail
archive=$(readlink -f "$1")
work=$(mktemp -d /tmp/glide-release-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
tar -xzf "$archive" -C "$work"
app=$(find "$work" -mindepth 2 -maxdepth 2 -name glide-desktop -type f -perm -u+x | head -n 1)
test -n "$app" || { echo "no glide-desktop executable in $archive"; exit 1; }
cd "$work/home"  # nowhere near the source tree

offline=()
if unshare -n true 2>/dev/null; then
  offline=(unshare -n)
else
  echo "note: unshare -n is not available here (needs root or user namespaces): running with the network"
fi
clean() { env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 "${offline[@]}" "$@"; }

echo "== $app --version"
clean "$app" --version
echo "== $app --help"
clean "$app" --help >"$work/help.txt"
grep -q "inpaint" "$work/help.txt" && grep -q "selftest" "$work/help.txt"
echo "== $app selftest --keep"
clean "$app" selftest --keep | tee "$work/selftest.txt"
kept=$(sed -n 's/^  files kept in //p' "$work/selftest.txt")
echo "== $app inpaint (the selftest's tiny models, 2 steps)"
clean "$app" inpaint --models "$kept/models" --image "$kept/picture.png" --mask "$kept/mask.png" \
  --prompt "a red ball" --steps 2 --upsample-steps 2 --candidates 1 --quiet --output "$work/inpainted.png"
test -s "$work/inpainted.png"
rm -rf "$kept"
echo "release check passed: $(basename "$archive")"
