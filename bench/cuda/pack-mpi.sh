#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Packs Debian's Open MPI (4.1, with its external PMIx) so that mpirun and
# MPI programs run from the pack on a machine without it (the lent GPU
# machine: NCCL is bootstrapped through MPI there).
#
#   bench/cuda/pack-mpi.sh DEST
#       copies into DEST, keeping the installed layout below DEST/usr:
#       orterun (as mpirun) and orted; libmpi and the libraries Open MPI
#       and PMIx load (their closure, less libc and what the GPU machine
#       has); the MCA components of Open MPI and PMIx, less those for
#       network fabrics the machine has none of (UCX, libfabric, verbs,
#       PSM: they would pull in tens of megabytes for nothing); the help
#       files and default parameter files.
#   . bench/cuda/pack-mpi.sh --env DEST
#       (sourced) points Open MPI and PMIx at DEST: OPAL_PREFIX and
#       PMIX_PREFIX relocate every directory they were configured with,
#       PATH finds the packed mpirun, LD_LIBRARY_PATH its libraries.
set -u
triplet=x86_64-linux-gnu
ompi_lib=/usr/lib/$triplet/openmpi/lib
pmix_root=/usr/lib/$triplet/pmix2

mpi_env () {
  local dest=$1
  export OPAL_PREFIX="$dest/usr"
  export PMIX_PREFIX="$dest$pmix_root"
  # ... and the directories they were configured with outside the prefix
  export OPAL_LIBDIR="$dest$ompi_lib" OPAL_PKGLIBDIR="$dest$ompi_lib/openmpi3"
  export OPAL_DATADIR="$dest/usr/share" OPAL_PKGDATADIR="$dest/usr/share/openmpi"
  export OPAL_SYSCONFDIR="$dest/usr/etc"
  export PMIX_LIBDIR="$dest$pmix_root/lib" PMIX_PKGLIBDIR="$dest$pmix_root/lib/pmix"
  export PMIX_DATADIR="$dest$pmix_root/share" PMIX_PKGDATADIR="$dest$pmix_root/share/pmix"
  export PMIX_SYSCONFDIR="$dest$pmix_root/share"
  export PMIX_MCA_mca_base_component_path="$dest$pmix_root/lib/pmix"
  export PATH="$dest/usr/bin:$PATH"
  export LD_LIBRARY_PATH="$dest$ompi_lib:$dest/usr/lib/$triplet:$dest$pmix_root/lib:${LD_LIBRARY_PATH:-}"
  # the lent machine runs commands as root
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  # one machine: ranks are started locally, no ssh needed (it may have none)
  export OMPI_MCA_plm=isolated
}

if [ "${1:-}" = "--env" ]; then
  mpi_env "$2"
  return 0 2>/dev/null || exit 0
fi

dest=${1:?usage: pack-mpi.sh DEST}
set -e
# component and library names for fabrics the GPU machine does not have
skip='ucx|ofi|openib|psm|verbs|java|cxx|mpifh|usempi'

mkdir -p "$dest/usr/bin" "$dest$ompi_lib/openmpi3" "$dest/usr/share/openmpi" \
  "$dest/usr/lib/$triplet" "$dest$pmix_root/lib/pmix" "$dest$pmix_root/share" "$dest/usr/etc"
cp -L /usr/bin/orterun "$dest/usr/bin/orterun"
ln -sf orterun "$dest/usr/bin/mpirun"
cp -L /usr/bin/orted "$dest/usr/bin/orted"
for f in "$ompi_lib"/openmpi3/*.so; do
  if echo "$(basename "$f")" | grep -Eq "_($skip)"; then continue; fi
  cp "$f" "$dest$ompi_lib/openmpi3/"
done
cp -a "$pmix_root"/lib/libpmix.so* "$dest$pmix_root/lib/"
cp "$pmix_root"/lib/pmix/*.so "$dest$pmix_root/lib/pmix/"
cp -r "$pmix_root"/share/. "$dest$pmix_root/share/"
cp -r /usr/share/openmpi/. "$dest/usr/share/openmpi/"
cp /etc/openmpi/openmpi-mca-params.conf "$dest/usr/etc/"
# PMIx's parameter file names its components' folder: the pack's own is set
# by PMIX_MCA_mca_base_component_path instead (mpi_env)
sed -i '/^mca_base_component_path/d' "$dest$pmix_root/share/pmix-mca-params.conf"

# the closure of everything packed (libmpi and the libraries of Open MPI
# among it), less libc and the C++ runtime, which the GPU machine has
find "$dest" -type f \( -name '*.so*' -o -path '*/bin/*' \) | while read -r f; do
  ldd "$f" 2>/dev/null | awk '/=> \// { print $3 }'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libstdc++.so*|libgcc_s.so*) ;;
    libpmix.so*) ;; # packed above, beside its components
    *) [ -e "$dest/usr/lib/$triplet/$(basename "$lib")" ] || cp -L "$lib" "$dest/usr/lib/$triplet/" ;;
  esac
done
echo "pack-mpi: $(du -sh "$dest" | cut -f1) in $dest"
