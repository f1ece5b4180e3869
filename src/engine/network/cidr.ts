/**
 * IP addresses and CIDR blocks as NetworkPolicy `ipBlock` uses them. Addresses are held as
 * bigints so IPv4 and IPv6 share one code path. Parsing follows Go's `net` package, which
 * is what the API server and the network plugins use: an IPv4 CIDR may carry host bits
 * (`10.0.0.1/8` is `10.0.0.0/8`), IPv4 octets may carry leading zeros (the API server's
 * "sloppy" legacy parsing), and an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) is the
 * IPv4 address it maps, so it falls into IPv4 blocks and never into IPv6 ones.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The network address, host bits cleared. */
  readonly base: bigint;
  readonly prefix: number;
}

/** A closed interval of addresses of one family. */
export interface AddressRange {
  readonly family: IpFamily;
  readonly start: bigint;
  readonly end: bigint;
}

const BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined; // zones never appear in a CIDR or pod IP
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      out.push(parseInt(piece, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0] as string);
  const tail = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/** An address in either notation, or undefined when it is not one. */
export function parseIp(text: unknown): IpAddress | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  if (!text.includes(':')) {
    const v4 = parseIpv4(text);
    return v4 === undefined ? undefined : { family: 4, value: v4 };
  }
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  // Go's IP.To4 treats ::ffff:a.b.c.d as IPv4, in addresses and in CIDR network numbers alike.
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

function maskOf(family: IpFamily, prefix: number): bigint {
  const bits = BITS[family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/** `10.0.0.0/8`, `2001:db8::/32`; undefined when malformed. */
export function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  const isV6Text = addressText.includes(':');
  const raw = isV6Text ? parseIpv6(addressText) : parseIpv4(addressText);
  if (raw === undefined) return undefined;
  if (prefix > (isV6Text ? 128 : 32)) return undefined;
  if (isV6Text && raw >> 32n === 0xffffn && prefix >= 96) {
    // An IPv4-mapped block is the IPv4 block it maps, as net.IPNet.Contains sees it.
    prefix -= 96;
    return { family: 4, base: raw & 0xffffffffn & maskOf(4, prefix), prefix };
  }
  const family: IpFamily = isV6Text ? 6 : 4;
  return { family, base: raw & maskOf(family, prefix), prefix };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && (ip.value & maskOf(cidr.family, cidr.prefix)) === cidr.base;
}

/** Whether every address of `inner` is in `outer`. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    (inner.base & maskOf(outer.family, outer.prefix)) === outer.base
  );
}

function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (two or more) of zero groups becomes `::`, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 6) return formatIpv6(ip.value);
  return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
}

/** The canonical text of a block: `10.0.0.0/8` for `10.1.2.3/8`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.base })}/${cidr.prefix}`;
}

export function rangeOf(cidr: Cidr): AddressRange {
  const size = 1n << BigInt(BITS[cidr.family] - cidr.prefix);
  return { family: cidr.family, start: cidr.base, end: cidr.base + size - 1n };
}

/** Sorted, merged intervals: the canonical form of a set of addresses of one family. */
export function normalizeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const family of [4, 6] as const) {
    const sorted = ranges
      .filter((r) => r.family === family && r.start <= r.end)
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let current: AddressRange | undefined;
    for (const range of sorted) {
      if (current !== undefined && range.start <= current.end + 1n) {
        if (range.end > current.end) current = { family, start: current.start, end: range.end };
      } else {
        if (current !== undefined) out.push(current);
        current = range;
      }
    }
    if (current !== undefined) out.push(current);
  }
  return out;
}

/** `ranges` minus `removed`, both in any order; the result is normalized. */
export function subtractRanges(
  ranges: readonly AddressRange[],
  removed: readonly AddressRange[],
): AddressRange[] {
  let remaining = normalizeRanges(ranges);
  for (const cut of normalizeRanges(removed)) {
    const next: AddressRange[] = [];
    for (const range of remaining) {
      if (range.family !== cut.family || cut.end < range.start || cut.start > range.end) {
        next.push(range);
        continue;
      }
      if (cut.start > range.start)
        next.push({ family: range.family, start: range.start, end: cut.start - 1n });
      if (cut.end < range.end) next.push({ family: range.family, start: cut.end + 1n, end: range.end });
    }
    remaining = next;
  }
  return remaining;
}

export function intersectRanges(a: readonly AddressRange[], b: readonly AddressRange[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const x of normalizeRanges(a)) {
    for (const y of normalizeRanges(b)) {
      if (x.family !== y.family) continue;
      const start = x.start > y.start ? x.start : y.start;
      const end = x.end < y.end ? x.end : y.end;
      if (start <= end) out.push({ family: x.family, start, end });
    }
  }
  return normalizeRanges(out);
}

/** How many addresses the ranges hold, per family. */
export function sizeOf(ranges: readonly AddressRange[], family: IpFamily): bigint {
  let total = 0n;
  for (const r of normalizeRanges(ranges)) if (r.family === family) total += r.end - r.start + 1n;
  return total;
}

/** The addresses of a list of blocks, merged. */
export function rangesOf(cidrs: readonly Cidr[]): AddressRange[] {
  return normalizeRanges(cidrs.map(rangeOf));
}

// Addresses that are not on the public internet: RFC 6890 special-purpose blocks that are
// not globally reachable, and for IPv6 everything outside global unicast (2000::/3).
const NON_PUBLIC_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const PUBLIC_V6 = ['2000::/3'];

function parsedAll(texts: readonly string[]): Cidr[] {
  return texts.map((t) => parseCidr(t)).filter((c): c is Cidr => c !== undefined);
}

/** The publicly routable address space of both families, as ranges. */
export const PUBLIC_RANGES: readonly AddressRange[] = [
  ...subtractRanges([{ family: 4, start: 0n, end: (1n << 32n) - 1n }], rangesOf(parsedAll(NON_PUBLIC_V4))),
  ...rangesOf(parsedAll(PUBLIC_V6)),
];

/** The share (0–1) of the public address space of `family` that `ranges` cover. */
export function publicShare(ranges: readonly AddressRange[], family: IpFamily): number {
  const publicSize = sizeOf(PUBLIC_RANGES, family);
  const covered = sizeOf(intersectRanges(ranges, PUBLIC_RANGES), family);
  // Scale before dividing: the sizes exceed what a double holds exactly, the ratio does not.
  return Number((covered * 1_000_000n) / publicSize) / 1_000_000;
}
