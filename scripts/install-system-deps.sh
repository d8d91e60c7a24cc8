#!/usr/bin/env bash
# Debian packages the tests use for real: git, poppler (pdftotext/pdffonts/pdfsig/pdftoppm), a CJK font, tmux.
set -uo pipefail
need=()
command -v git >/dev/null || need+=(git)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v tmux >/dev/null || need+=(tmux)
command -v fc-list >/dev/null || need+=(fontconfig)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
command -v gpg >/dev/null || need+=(gnupg)          # OpenPGP-signed commits (require_signed_commits)
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || { echo "could not install ${need[*]}; install them by hand" >&2; exit 1; }
