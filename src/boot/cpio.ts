/**
 * A writer for cpio archives in the "new ASCII" (newc, magic "070701")
 * format, the one the Linux kernel unpacks as an initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst; cpio(5)
 * "New ASCII Format"). No external tool is involved.
 *
 * Each entry is a 110-byte header of the magic and thirteen 8-digit hex
 * fields (ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
 * rdevmajor, rdevminor, namesize, check), the NUL-terminated path padded
 * so that header + name is a multiple of 4, then the data padded to 4. A
 * symlink's data is its target (no NUL). The archive ends with an entry
 * named "TRAILER!!!".
 *
 * Choices: every entry gets its own inode number and nlink 1 (2 for
 * directories), so no hard links are implied; uid/gid default to 0 and
 * mtime to 0, which makes the output reproducible byte for byte; paths are
 * stored without a leading "/", as `find . | cpio -H newc` would.
 */

/** File type bits of st_mode (cpio(5), the same as stat(2)). */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

const MAGIC = '070701';
const HEADER_BYTES = 110;
const TRAILER = 'TRAILER!!!';
/** Fields are 8 hex digits: 32 bits. */
const FIELD_MAX = 0xffff_ffff;

/** Ownership and time shared by every kind of entry. */
export interface CpioOwner {
  uid?: number;
  gid?: number;
  /** Seconds since the epoch. */
  mtime?: number;
}

/** One archive member (paths are relative, "/" separated; a leading "/" is dropped). */
export type CpioEntry =
  | ({ kind: 'dir'; path: string; mode?: number } & CpioOwner)
  | ({ kind: 'file'; path: string; data: Uint8Array | string; mode?: number } & CpioOwner)
  | ({ kind: 'symlink'; path: string; target: string } & CpioOwner)
  | ({ kind: 'char' | 'block'; path: string; major: number; minor: number; mode?: number } & CpioOwner);

/** Builds a newc archive in memory. */
export class CpioWriter {
  private readonly chunks: Uint8Array[] = [];
  private sizeBytes = 0;
  private nextIno = 1;
  private finished = false;
  private readonly seen = new Set<string>();

  /** A directory (default mode 0755). */
  dir(path: string, mode = 0o755, owner: CpioOwner = {}): this {
    return this.add({ kind: 'dir', path, mode, ...owner });
  }

  /** A regular file (default mode 0644). */
  file(path: string, data: Uint8Array | string, mode = 0o644, owner: CpioOwner = {}): this {
    return this.add({ kind: 'file', path, data, mode, ...owner });
  }

  /** A symbolic link to `target` (mode 0777, as symlinks have). */
  symlink(path: string, target: string, owner: CpioOwner = {}): this {
    return this.add({ kind: 'symlink', path, target, ...owner });
  }

  /** A character device node, e.g. /dev/console c 5 1 (default mode 0600). */
  charDevice(path: string, major: number, minor: number, mode = 0o600, owner: CpioOwner = {}): this {
    return this.add({ kind: 'char', path, major, minor, mode, ...owner });
  }

  /** A block device node (default mode 0600). */
  blockDevice(path: string, major: number, minor: number, mode = 0o600, owner: CpioOwner = {}): this {
    return this.add({ kind: 'block', path, major, minor, mode, ...owner });
  }

  /** Appends one entry. Paths must be unique; parents are not created implicitly. */
  add(entry: CpioEntry): this {
    if (this.finished) throw new Error('cpio: archive already finished');
    const path = normalizePath(entry.path);
    if (this.seen.has(path)) throw new Error(`cpio: duplicate path '${path}'`);
    this.seen.add(path);
    let type: number, perm: number, data: Uint8Array = new Uint8Array(0), rdev = [0, 0], nlink = 1;
    switch (entry.kind) {
      case 'dir': type = S_IFDIR; perm = entry.mode ?? 0o755; nlink = 2; break;
      case 'file':
        type = S_IFREG; perm = entry.mode ?? 0o644;
        data = typeof entry.data === 'string' ? new TextEncoder().encode(entry.data) : entry.data;
        break;
      case 'symlink':
        if (entry.target.length === 0) throw new Error(`cpio: symlink '${path}' has an empty target`);
        type = S_IFLNK; perm = 0o777; data = new TextEncoder().encode(entry.target);
        break;
      case 'char': case 'block':
        type = entry.kind === 'char' ? S_IFCHR : S_IFBLK; perm = entry.mode ?? 0o600;
        rdev = [entry.major, entry.minor];
        break;
    }
    if ((perm & ~0o7777) !== 0) throw new Error(`cpio: mode 0${perm.toString(8)} of '${path}' has bits beyond the permission bits`);
    this.entry(path, {
      ino: this.nextIno++, mode: type | perm, uid: entry.uid ?? 0, gid: entry.gid ?? 0, nlink,
      mtime: entry.mtime ?? 0, rdevmajor: rdev[0], rdevminor: rdev[1],
    }, data);
    return this;
  }

  /** Appends the trailer and returns the archive. */
  finish(): Uint8Array {
    if (!this.finished) {
      this.entry(TRAILER, { ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, rdevmajor: 0, rdevminor: 0 }, new Uint8Array(0));
      this.finished = true;
    }
    const out = new Uint8Array(this.sizeBytes);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }

  private entry(name: string, f: HeaderFields, data: Uint8Array): void {
    const nameBytes = new TextEncoder().encode(`${name}\0`);
    const fields = [
      f.ino, f.mode, f.uid, f.gid, f.nlink, f.mtime, data.length,
      0, 0, // devmajor, devminor: the archive's own device; one device throughout
      f.rdevmajor, f.rdevminor, nameBytes.length,
      0, // check: only used by the "070702" variant
    ];
    let header = MAGIC;
    for (const v of fields) {
      if (!Number.isInteger(v) || v < 0 || v > FIELD_MAX) throw new Error(`cpio: value ${v} of '${name}' does not fit a header field`);
      header += v.toString(16).padStart(8, '0');
    }
    this.push(new TextEncoder().encode(header));
    this.push(nameBytes);
    this.pad();
    this.push(data);
    this.pad();
  }

  private push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.sizeBytes += bytes.length;
  }

  /** Zero bytes up to the next multiple of 4 of the archive offset. */
  private pad(): void {
    const n = (4 - (this.sizeBytes % 4)) % 4;
    if (n > 0) this.push(new Uint8Array(n));
  }
}

interface HeaderFields { ino: number; mode: number; uid: number; gid: number; nlink: number; mtime: number; rdevmajor: number; rdevminor: number }

/** "/bin//sh/" → "bin/sh"; "/" alone → "."; rejects empty, ".." and the trailer's name. */
function normalizePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`cpio: path '${path}' contains '..'`);
  const out = parts.length === 0 ? '.' : parts.join('/');
  if (out === TRAILER) throw new Error(`cpio: '${TRAILER}' is reserved for the end of the archive`);
  if (out.includes('\0')) throw new Error(`cpio: path '${path}' contains a NUL`);
  return out;
}

/** One parsed archive member, as {@link readCpio} returns it. */
export interface CpioMember {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  rdevmajor: number;
  rdevminor: number;
  data: Uint8Array;
}

/** Parses a newc archive (tests and diagnostics); stops at the trailer. */
export function readCpio(archive: Uint8Array): CpioMember[] {
  const members: CpioMember[] = [];
  const text = (a: number, n: number) => String.fromCharCode(...archive.subarray(a, a + n));
  let at = 0;
  for (;;) {
    if (at + HEADER_BYTES > archive.length) throw new Error(`cpio: truncated header at offset ${at}`);
    if (text(at, 6) !== MAGIC) throw new Error(`cpio: bad magic at offset ${at}`);
    const field = (i: number) => parseInt(text(at + 6 + i * 8, 8), 16);
    const namesize = field(11), filesize = field(6);
    const nameAt = at + HEADER_BYTES;
    const path = text(nameAt, namesize - 1);
    const dataAt = align4(nameAt + namesize);
    if (path === TRAILER) return members;
    members.push({
      path, mode: field(1), uid: field(2), gid: field(3), nlink: field(4), mtime: field(5),
      rdevmajor: field(9), rdevminor: field(10), data: archive.slice(dataAt, dataAt + filesize),
    });
    at = align4(dataAt + filesize);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
