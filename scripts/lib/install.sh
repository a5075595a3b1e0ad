# Sourced by the scripts in scripts/: installs Debian or Ubuntu packages the tests need.
#
#   install_packages CALLER PACKAGE...   # apt-get install, with sudo when not root

install_packages() {
  local caller=$1
  shift
  [ "$#" -gt 0 ] || return 0
  echo "$caller: installing $* (needed by the test suite)" >&2
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$caller: error: $* missing and apt-get not found: install them with your package manager" >&2
    return 1
  fi
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "$caller: error: installing $* needs root: run as root or install sudo" >&2
      return 1
    fi
    as_root=(sudo)
  fi
  # Where an init system runs, Debian also starts its system-wide servers (PostgreSQL on 5432,
  # Redis on 6379); scripts/services runs its own on other ports, so they do not meet.
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "$@" >/dev/null
}
