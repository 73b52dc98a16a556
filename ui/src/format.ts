// How numbers and times look to a person: dollars with cents and thousands separators, times in
// the computer's own zone. Money arrives as integer cents and stays integer until shown.

/** Integer cents as US dollars: 123456 → "$1,234.56", -50 → "-$0.50". */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  const dollars = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = (abs % 100).toString().padStart(2, '0');
  return `${sign}$${dollars}.${rest}`;
}

/** An RFC 3339 time in the local zone, e.g. "Dec 1, 2026, 9:41 AM"; "" for none. */
export function localTime(iso: string | null | undefined, locale?: string, timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(d);
}

/** Microseconds as a short duration: 850 → "0.9 ms", 12_300 → "12 ms", 2_500_000 → "2.5 s". */
export function duration(us: number): string {
  // Integer tenths: toFixed rounds binary floats (0.85 → "0.8"), which would disagree with people.
  const tenths = (n: number) => `${Math.floor(n / 10)}.${n % 10}`;
  if (us < 9_950) return `${tenths(Math.round(us / 100))} ms`;
  if (us < 999_500) return `${Math.round(us / 1000)} ms`;
  return `${tenths(Math.round(us / 100_000))} s`;
}
