#!/usr/bin/env bash
# Installs the Debian packages the project needs (idempotent; safe to rerun).
#   Jupyter (runs tslab notebooks headless): jupyter-nbconvert jupyter-client python3-nbclient
#   Interactive notebooks (starcluster lab):  jupyter-notebook (the classic Notebook 6; JupyterLab is not packaged)
#   Reference peers for tests/benchmarks:    python3-torch python3-torchvision python3-astropy
#   Figure checks (headless screenshots):    chromium
#   A real Slurm submission (slurm-local.sh): slurmctld slurmd slurm-client munge
#     (under systemd apt also starts munge.service; slurmctld and slurmd stay down without /etc/slurm/slurm.conf)
#   The onednn backend's addon (scripts/build-native.sh): g++ libdnnl-dev (oneDNN, the engine Debian's PyTorch uses)
#   The C++ formatter's check (npm run lint):          clang-format
# Needs root (or sudo). Set STARCLUSTER_SKIP_APT=1 to skip when the packages are managed elsewhere.
set -euo pipefail

PACKAGES=(jupyter-nbconvert jupyter-client python3-nbclient jupyter-notebook
          python3-torch python3-torchvision python3-astropy python3-numpy
          chromium
          slurmctld slurmd slurm-client munge
          g++ libdnnl-dev clang-format)

if [ "${STARCLUSTER_SKIP_APT:-0}" = "1" ]; then
  echo "setup-system: STARCLUSTER_SKIP_APT=1, not touching Debian packages"
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all Debian packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-system: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
