/* carve's guest MBR boot code (the first 440 bytes of sector 0 of a vdisk with
 * "boot": "bios"): find the active partition in the table below it, read that partition's
 * first sector (its own boot sector) to 0x7c00 and start it, as a DOS-style MBR does.
 *
 * Written for carve, assembled by GNU as:
 *   as --32 -o mbr.o mbr.S && ld -m elf_i386 -Ttext=0x600 --oformat=binary -e start -o mbr.bin mbr.o
 * (440 bytes).
 * tests/boot_code.rs assembles it again and compares with assets/boot/mbr.bin.
 *
 * What the started boot sector gets, as BIOS boot sectors expect: DL = the BIOS drive
 * number the BIOS booted us with, DS:SI = the active partition's 16-byte table entry,
 * CS:IP = 0000:7c00. The read uses the INT 13h extensions (LBA, AH=42h); a BIOS without
 * them, no active partition, a read error or a sector without the 55AA signature each
 * print one line and stop (no reboot loop). */

	.code16
	.text
	.globl start
start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0x7c00, %sp
	sti
	cld
	/* Move out of the way of the boot sector we load: 0x7c00 -> 0x0600. */
	movw	$0x7c00, %si
	movw	$0x0600, %di
	movw	$256, %cx
	rep movsw
	ljmp	$0, $moved

moved:
	movb	%dl, drive
	/* The active partition: the first entry whose status byte is 0x80. */
	movw	$table, %si
	movw	$4, %cx
find:
	cmpb	$0x80, (%si)
	je	found
	addw	$16, %si
	loop	find
	movw	$no_active, %si
	jmp	fail

found:
	movw	%si, entry
	/* INT 13h extensions present? */
	movb	$0x41, %ah
	movw	$0x55aa, %bx
	movb	drive, %dl
	int	$0x13
	jc	no_lba
	cmpw	$0xaa55, %bx
	jne	no_lba
	/* Read the partition's first sector (its LBA is at offset 8 of the entry). */
	movw	entry, %si
	movl	8(%si), %eax
	movl	%eax, dap_lba
	movw	$dap, %si
	movb	$0x42, %ah
	movb	drive, %dl
	int	$0x13
	jc	read_error
	cmpw	$0xaa55, 0x7dfe
	jne	no_signature
	movw	entry, %si
	movb	drive, %dl
	ljmp	$0, $0x7c00

no_lba:
	movw	$no_ext, %si
	jmp	fail
read_error:
	movw	$bad_read, %si
	jmp	fail
no_signature:
	movw	$not_bootable, %si
fail:
	lodsb
	testb	%al, %al
	jz	halt
	movb	$0x0e, %ah
	movw	$0x0007, %bx
	int	$0x10
	jmp	fail
halt:
	cli
	hlt
	jmp	halt

	.balign	4
dap:
	.byte	16, 0		/* size of the packet, reserved */
	.word	1		/* one sector */
	.word	0x7c00, 0	/* to 0000:7c00 */
dap_lba:
	.long	0, 0		/* the partition's first sector */
drive:
	.byte	0
	.balign	2
entry:
	.word	0
no_active:
	.asciz	"carve MBR: no active partition\r\n"
no_ext:
	.asciz	"carve MBR: this BIOS has no INT 13h extensions\r\n"
bad_read:
	.asciz	"carve MBR: cannot read the active partition\r\n"
not_bootable:
	.asciz	"carve MBR: the active partition has no boot sector\r\n"

	/* The boot code is the first 440 bytes: the disk signature and the partition table
	 * (at byte 446) follow, written by carve. */
	.org	440		/* as stops with an error if the code is already past it */
	table = start + 446
