# shellcheck shell=bash
# Pieces of the locally built test images, sourced by build-kafka-image.sh and
# build-compose-images.sh. Every image is one layer imported from a root file system made here
# (`docker import`): no base image, no builder, nothing pulled.
#
#   image_require_docker                     the client answers and reaches an engine
#   image_require_jdk                        sets JAVA_HOME (a JDK with jmods) and java_major
#   image_inputs_digest TEXT FILE...         sha256 of TEXT, the files' names and contents, the JDK
#   image_up_to_date IMAGE DIGEST            IMAGE exists, built from inputs of DIGEST (says so),
#                                            and FORCE=1 is not set
#   rootfs_busybox ROOTFS                    static busybox with one link per applet
#   rootfs_sh_as_bash ROOTFS                 /bin/bash as `exec /bin/sh "$@"`
#   rootfs_jre ROOTFS MODULES                a jlink runtime of the JDK in ROOTFS/opt/java
#   rootfs_libraries ROOTFS FILE...          the shared libraries ldd lists for FILE..., and the loader
#   rootfs_etc ROOTFS [PASSWD_LINE...]       nsswitch.conf, passwd and group (root, nobody, more)
#   image_import ROOTFS IMAGE DIGEST [OWNED...] [-- CHANGE...]
#
# Settings (environment): DOCKER (default docker), BUSYBOX (default /bin/busybox), JAVA_HOME.

docker=${DOCKER:-docker}
busybox=${BUSYBOX:-/bin/busybox}
# the label that records which inputs an image was built from
IMAGE_INPUTS_LABEL=org.causalimpact.inputs

fail() {
  echo "${image_script:-image-lib}: $*" >&2
  exit 1
}

image_require_docker() {
  command -v "$docker" >/dev/null || fail "no Docker client '$docker'"
  "$docker" version >/dev/null || fail "the Docker engine does not answer (DOCKER_HOST=${DOCKER_HOST:-default})"
}

image_require_jdk() {
  if [ -z "${JAVA_HOME:-}" ]; then
    local javac
    javac=$(command -v javac) || fail "no JAVA_HOME and no javac on the PATH"
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$javac")")")
  fi
  [ -x "$JAVA_HOME/bin/jlink" ] || fail "$JAVA_HOME/bin/jlink missing: JAVA_HOME must be a JDK"
  [ -d "$JAVA_HOME/jmods" ] || fail "$JAVA_HOME/jmods missing: jlink needs the JDK's jmods"
  java_major=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
  [ "${java_major:-0}" -ge 17 ] || fail "the images need Java 17 or later; $JAVA_HOME is ${java_major:-unknown}"
}

# What an image is rebuilt for: TEXT (e.g. a version), the files' names and contents (a directory
# stands for every file under it), and the JDK's version when JAVA_HOME is set.
image_inputs_digest() {
  {
    printf '%s\n' "$1"
    shift
    find "$@" -type f -print0 | sort -z | xargs -0 sha256sum
    [ -z "${JAVA_HOME:-}" ] || "$JAVA_HOME/bin/java" -version 2>&1
  } | sha256sum | cut -c1-64
}

image_up_to_date() {
  local label
  [ "${FORCE:-}" != 1 ] || return 1
  label=$("$docker" image inspect -f "{{index .Config.Labels \"$IMAGE_INPUTS_LABEL\"}}" "$1" 2>/dev/null) \
    || return 1
  [ "$label" = "$2" ] || return 1
  echo "${image_script:-image-lib}: $1 is up to date (same inputs); FORCE=1 rebuilds it"
}

rootfs_busybox() {
  local rootfs=$1 applet
  [ -x "$busybox" ] || fail "no busybox at $busybox (Debian: apt-get install busybox-static)"
  if ldd "$busybox" >/dev/null 2>&1; then
    fail "$busybox is linked dynamically; the image needs a static one (Debian: busybox-static)"
  fi
  mkdir -p "$rootfs"/{bin,usr/bin,tmp}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  ln -s ../../bin/busybox "$rootfs/usr/bin/env"
}

# For scripts that start with #!/bin/bash but use nothing busybox's sh lacks.
rootfs_sh_as_bash() {
  printf '#!/bin/sh\nexec /bin/sh "$@"\n' > "$1/bin/bash"
  chmod 755 "$1/bin/bash"
}

# java.desktop, where a module list names it, only for java.beans: its native AWT, font and sound
# libraries are deleted.
rootfs_jre() {
  local rootfs=$1 modules=$2 compress=2
  [ "$java_major" -ge 21 ] && compress=zip-6
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress="$compress" --output "$rootfs/opt/java"
  rm -f "$rootfs"/opt/java/lib/{libawt.so,libawt_headless.so,libawt_xawt.so,libfontmanager.so,libjavajpeg.so,libjawt.so,libjsound.so,liblcms.so,libmlib_image.so,libsplashscreen.so,libfreetype.so}
  rootfs_libraries "$rootfs" $(find "$rootfs/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \))
}

# The shared libraries ldd lists for the files (and the loader), at the paths ldd names, from this
# machine; libjvm.so is the Java runtime's own, loaded by its launcher before the libraries that
# name it. A static file lists none.
rootfs_libraries() {
  local rootfs=$1 libs lib
  shift
  libs=$(for f in "$@"; do ldd "$f" 2>/dev/null || true; done \
    | awk '$1 == "libjvm.so" { next }
           /not found/ { print "MISSING " $1; next }
           { for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' \
    | sort -u)
  if printf '%s\n' "$libs" | grep -q '^MISSING'; then
    fail "libraries not found: $(printf '%s\n' "$libs" | sed -n 's/^MISSING //p' | tr '\n' ' ')"
  fi
  for lib in $libs; do
    case "$lib" in "$rootfs"/*) continue ;; esac
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# Extra arguments are more passwd lines (name:x:uid:gid:...); each gets a group of its gid.
rootfs_etc() {
  local rootfs=$1 line
  shift
  mkdir -p "$rootfs/etc" "$rootfs/root"
  printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  for line in "$@"; do
    printf '%s\n' "$line" >> "$rootfs/etc/passwd"
    printf '%s\n' "$line" | awk -F: '{ print $1 ":x:" $4 ":" }' >> "$rootfs/etc/group"
  done
}

# Imports ROOTFS as IMAGE, labelled with DIGEST. Every file belongs to root, except the
# directories named UID:GID:PATH (PATH inside the image, made if missing, e.g.
# 65534:65534:/prometheus), which belong to UID:GID. After --: `docker import -c` changes.
image_import() {
  local rootfs=$1 image=$2 digest=$3 owned=() changes=() old new size tarball spec path
  shift 3
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    owned+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  for spec in "$@"; do
    changes+=(-c "$spec")
  done
  tarball=$(mktemp "${TMPDIR:-/tmp}/image.XXXXXX.tar")
  local owned_paths=()
  for spec in "${owned[@]}"; do
    path=${spec#*:*:}
    mkdir -p "$rootfs$path"
    owned_paths+=(".$path")
  done
  # everything but the owned directories as root, then each of those as its owner
  tar -C "$rootfs" --numeric-owner --owner=0 --group=0 \
    --anchored "${owned_paths[@]/#/--exclude=}" -cf "$tarball" .
  for spec in "${owned[@]}"; do
    tar -C "$rootfs" --numeric-owner --owner="${spec%%:*}" --group="$(echo "$spec" | cut -d: -f2)" \
      -rf "$tarball" ".${spec#*:*:}"
  done
  old=$("$docker" image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  "$docker" import "${changes[@]}" -c "LABEL $IMAGE_INPUTS_LABEL=$digest" - "$image" \
    < "$tarball" >/dev/null
  rm -f "$tarball"
  new=$("$docker" image inspect -f '{{.Id}}' "$image")
  if [ -n "$old" ] && [ "$old" != "$new" ]; then
    "$docker" image rm "$old" >/dev/null 2>&1 || true
  fi
  size=$("$docker" image inspect -f '{{.Size}}' "$image")
  echo "${image_script:-image-lib}: built $image ($new) in ${SECONDS} s, size $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
}
