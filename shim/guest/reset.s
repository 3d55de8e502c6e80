/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-shim's firmware: 64 KiB for -bios, which QEMU maps at the top of
 * 4 GiB and again below 1 MiB, at segment 0xf000.  The CPU starts at its
 * last 16 bytes; guest.c puts the boot sector (bootsect.s, its parameters
 * patched) at its first 512, and this copies it to 0x7c00 and runs it, as a
 * BIOS would after its POST.  The guest needs nothing a BIOS sets up: it
 * drives COM1 and the A20 gate itself, with interrupts off.
 *
 * Why not SeaBIOS: it runs in real mode, which KVM here (nested PVM)
 * emulates one instruction at a time: 4-5 s before it reaches the boot
 * sector, on every case's primary (README, "KVM").  --seabios still boots
 * through it, from a disk.
 */
        .set    BOOTSECT, 0x7c00
        .set    BOOTSECT_WORDS, 256

        .code16
        .text
        .globl  _start
_start:
        .org    0x200                   /* the boot sector goes before */
copy:
        cli
        cld
        movw    $0xf000, %ax            /* this ROM, below 1 MiB */
        movw    %ax, %ds
        xorw    %ax, %ax
        movw    %ax, %es
        movw    %ax, %ss
        xorw    %si, %si
        movw    $BOOTSECT, %di
        movw    $BOOTSECT_WORDS, %cx
        rep movsw
        ljmp    $0, $BOOTSECT

        .org    0xfff0                  /* the reset vector */
        ljmp    $0xf000, $copy
        .org    0x10000
