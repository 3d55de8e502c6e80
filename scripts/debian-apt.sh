# SPDX-License-Identifier: GPL-2.0-or-later
# A private apt configuration under the cache dir, so that trixie sources and
# bookworm-backports can be used without touching the system's apt set-up.
# Sourced by the set-up scripts after common.sh.

APT_DIR=$COLO_CACHE_DIR/apt
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# The mirror the machine already uses for its own Debian release, read from
# apt itself so one-line and deb822 source files both work.
system_debian_mirror() {
    local codename
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    apt-get indextargets --format '$(TARGET_OF) $(RELEASE) $(REPO_URI)' |
        awk -v c="$codename" '$1 == "deb" && $2 == c { print $3; exit }'
}

# The sources.list of the private configuration: the system's own binary
# sources (so dependencies resolve as usual), its release's backports, and
# QEMU's suite.  Also the apt sources of the package chroots (deb-chroot.sh).
apt_private_sources() {
    local mirror codename
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    mirror=$(system_debian_mirror)
    [ -n "$mirror" ] || die "no Debian '$codename' source found in the system's apt configuration"
    apt-get indextargets --format '$(TARGET_OF) $(REPO_URI) $(RELEASE) $(COMPONENT)' |
        awk '$1 == "deb"' | sort -u |
        while read -r _ uri rel comp; do
            echo "deb [signed-by=$KEYRING] $uri $rel $comp"
        done
    echo "deb [signed-by=$KEYRING] $mirror $codename-backports main"
    echo "deb-src [signed-by=$KEYRING] $mirror $QEMU_DEB_SUITE main"
    # For the firmware QEMU's suite pairs with it (fetch-firmware.sh),
    # downloaded by name and suite only: pinned (apt_private_preferences)
    # so that it never replaces a package of the machine's own release.
    echo "deb [signed-by=$KEYRING] $mirror $QEMU_DEB_SUITE main"
}

apt_private_preferences() {
    printf 'Package: *\nPin: release n=%s\nPin-Priority: 1\n' "$QEMU_DEB_SUITE"
}

# Writes sources.list and apt.conf for the private configuration.
apt_private_write_config() {
    mkdir -p "$APT_DIR"/{lists/partial,archives/partial,sources.list.d,preferences.d,cache}
    apt_private_sources > "$APT_DIR/sources.list.new"
    apt_private_preferences > "$APT_DIR/preferences"
    # New sources need new lists, however fresh the old ones are.
    if ! cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"; then
        rm -f "$APT_DIR/lists/.updated"
    fi
    mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
    cat > "$APT_DIR/apt.conf" <<EOF
Dir::Etc::SourceList "$APT_DIR/sources.list";
Dir::Etc::SourceParts "$APT_DIR/sources.list.d";
Dir::Etc::Preferences "$APT_DIR/preferences";
Dir::Etc::PreferencesParts "$APT_DIR/preferences.d";
Dir::State::Lists "$APT_DIR/lists";
Dir::Cache "$APT_DIR/cache";
Dir::Cache::Archives "$APT_DIR/archives";
APT::Get::Assume-Yes "true";
APT::Sandbox::User "root";
EOF
}

apt_private() {
    APT_CONFIG=$APT_DIR/apt.conf DEBIAN_FRONTEND=noninteractive apt-get -q "$@"
}

# Refresh the private package lists when missing or older than a day.
apt_private_update() {
    apt_private_write_config
    local stamp=$APT_DIR/lists/.updated
    if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
        apt_private update >&2
        touch "$stamp"
    fi
}

# apt_private_unpack DEST WORK "NAME VERSION" lines: downloads those
# packages into WORK (apt checks them against the signed archive) and
# unpacks them all into DEST with dpkg-deb -x; nothing is installed.
apt_private_unpack() {
    local dest=$1 work=$2 packages=$3 p v
    mkdir -p "$dest" "$work"
    while read -r p v; do
        (cd "$work" && apt_private download "$p=$v" >&2)
    done <<< "$packages"
    for p in "$work"/*.deb; do
        dpkg-deb -x "$p" "$dest"
    done
}
