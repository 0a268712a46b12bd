/**
 * Puts the checked drive images (drive-images.ts) on the board's IDE
 * controller: the CD-ROM as secondary master (where firmware and installers
 * look for it), the disks in order on the remaining positions, primary
 * master first. Each image is opened through the host's disk backends;
 * `--snapshot`, or an image the user may not write, keeps the guest's
 * writes in memory.
 */
import { BootError } from '../boot/index.js';
import { DiskImageError, openDiskImage } from '../host/disk-image.js';
import type { IdeDrive } from '../vmm/pc-board.js';
import { UsageError } from './args.js';
import { formatSize, type DriveImage } from './drive-images.js';

/** The four IDE positions, in the board's order. */
export const IDE_POSITIONS = ['primary master', 'primary slave', 'secondary master', 'secondary slave'] as const;
/** Where the CD-ROM goes. */
const CDROM_POSITION = 2;

/** Drives by IDE position, and one line per drive for the user. */
export interface IdeSetup {
  drives: (IdeDrive | undefined)[];
  notes: string[];
}

/** Opens the images and assigns their positions; errors are one line naming the file. */
export function attachDrives(images: readonly DriveImage[], snapshot: boolean): IdeSetup {
  const drives: (IdeDrive | undefined)[] = [undefined, undefined, undefined, undefined];
  const notes: string[] = [];
  const cdrom = images.find((i) => i.kind === 'cdrom');
  const disks = images.filter((i) => i.kind === 'disk');
  const free = [0, 1, 2, 3].filter((p) => !(cdrom && p === CDROM_POSITION));
  if (disks.length > free.length) {
    throw new UsageError(`at most ${free.length} --disk images fit on the IDE controller${cdrom ? ' beside --cdrom' : ''}`);
  }
  if (cdrom) {
    drives[CDROM_POSITION] = { kind: 'cdrom', media: open(cdrom, 'read-only') };
    notes.push(`IDE ${IDE_POSITIONS[CDROM_POSITION]}: ${cdrom.path} (CD-ROM, ${formatSize(cdrom.sizeBytes)})`);
  }
  disks.forEach((image, i) => {
    const position = free[i];
    let how = snapshot ? ', writes kept in memory' : '';
    let media;
    try {
      media = openDiskImage(image.path, { mode: snapshot ? 'snapshot' : 'read-write', what: 'disk image' });
    } catch (e) {
      if (!(e instanceof DiskImageError) || e.code !== 'read-only') throw asBootError(e);
      media = open(image, 'snapshot');
      how = ', read-only file: writes kept in memory';
    }
    drives[position] = { kind: 'disk', media };
    notes.push(`IDE ${IDE_POSITIONS[position]}: ${image.path} (disk, ${formatSize(image.sizeBytes)}${how})`);
  });
  return { drives, notes };
}

function open(image: DriveImage, mode: 'read-only' | 'snapshot') {
  try {
    return image.kind === 'cdrom'
      ? openDiskImage(image.path, { mode, what: 'CD-ROM image', sectorBytes: 2048 })
      : openDiskImage(image.path, { mode, what: 'disk image' });
  } catch (e) {
    throw asBootError(e);
  }
}

function asBootError(e: unknown): unknown {
  return e instanceof DiskImageError ? new BootError(e.message) : e;
}
