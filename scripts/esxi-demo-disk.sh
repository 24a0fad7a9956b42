#!/bin/sh
# Builds esxi.img in DIR (default: ./esxi-demo): a 48 MiB GPT disk laid out like an ESXi 6.5
# boot disk, with FAT16 bootbanks on partitions 5 and 6. Partition 5 (boot.cfg updated=3,
# state.tgz dated 2026-11-20) hands the SATA controller vmhba0 (8086:3b25, 000:00:31.2) to
# VMs, as in the seed story; partition 6 (updated=2, 2026-10-01) is the configuration before.
# Needs sgdisk (gdisk), mkfs.vfat (dosfstools), mcopy (mtools), GNU tar. The README's
# `carve esxi` output comes from this disk.
set -eu
dir=${1:-esxi-demo}
mkdir -p "$dir"
cd "$dir"
rm -rf banks esxi.img
mkdir banks

state() { # NAME OWNER DATE
    d=banks/$1
    mkdir -p "$d/etc/vmware" "$d/etc/ssh"
    cat >"$d/etc/vmware/esx.conf" <<CONF
/adv/Misc/HostName = "esx1"
/device/000:00:31.2/vmkname = "vmhba0"
/device/000:00:31.2/owner = "$2"
/device/000:00:31.2/vendor = "0x8086"
/device/000:00:31.2/device = "0x3b25"
/device/000:01:00.0/vmkname = "vmnic0"
/device/000:01:00.0/owner = "vmkernel"
/resourceGroups/version = "6.5.0"
CONF
    echo "127.0.0.1 localhost" >"$d/etc/hosts"
    echo "PermitRootLogin no" >"$d/etc/ssh/sshd_config"
    chmod 600 "$d/etc/ssh/sshd_config"
    (cd "$d" && tar --owner=0 --group=0 -czf local.tgz etc &&
        tar --owner=0 --group=0 -czf state.tgz local.tgz && touch -d "$3" state.tgz)
}
state new passthru "2026-11-20 10:00:00"
state old vmkernel "2026-10-01 08:30:00"

truncate -s 48M esxi.img
sgdisk -o -n 1:2048:+4M -t 1:ef00 -n 5:10240:+16M -t 5:0700 -n 6:43008:+16M -t 6:0700 \
    esxi.img >/dev/null
for bank in 5:10240:new:3 6:43008:old:2; do
    IFS=: read -r num start name updated <<BANK
$bank
BANK
    part=banks/part$num.img
    truncate -s 16M "$part"
    mkfs.vfat -F 16 -n BOOTBANK "$part" >/dev/null
    printf 'bootstate=0\ntitle=Loading VMware ESXi\nkernel=b.b00\nmodules=b.b00 --- state.tgz\nbuild=6.5.0-4564106\nupdated=%s\n' \
        "$updated" >banks/boot.cfg
    mcopy -m -i "$part" banks/boot.cfg ::boot.cfg
    mcopy -m -i "$part" "banks/$name/state.tgz" ::state.tgz
    dd if="$part" of=esxi.img bs=512 seek="$start" conv=notrunc status=none
done
rm -rf banks
echo "$(pwd)/esxi.img"
