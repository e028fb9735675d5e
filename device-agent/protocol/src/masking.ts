/**
 * Masking of personal data for screens, receipts and logs (DESIGN.md, "Personal data").
 * Works on code points, so a name with a character outside the BMP masks correctly.
 */

/** `110105199001010021` → `110105********0021`; other lengths keep at most a third. */
export function maskIdNumber(idNumber: string): string {
  const chars = Array.from(idNumber.trim());
  if (chars.length === 18) return `${chars.slice(0, 6).join('')}********${chars.slice(14).join('')}`;
  if (chars.length === 15 && /^\d{15}$/.test(idNumber.trim())) return `${chars.slice(0, 6).join('')}*****${chars.slice(11).join('')}`;
  const keep = Math.floor(chars.length / 3);
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - keep) + (tail > 0 ? chars.slice(-tail).join('') : '');
}

/**
 * `张三` → `张*`, `王小明` → `王*明`, `阿依古丽·买买提` → `阿***·**提`: the
 * separator `·` is kept so the shape of a minority name stays readable:
 * first and last character shown, everything else but `·` starred.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return chars.length === 1 ? '*' : '';
  if (chars.length === 2) return `${chars[0] ?? ''}*`;
  return chars.map((ch, i) => (i === 0 || i === chars.length - 1 || ch === '·' || ch === ' ' ? ch : '*')).join('');
}

/** `13812345678` → `138****5678`. */
export function maskPhone(phone: string): string {
  const chars = Array.from(phone.trim());
  if (chars.length < 7) return '*'.repeat(chars.length);
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 7) + chars.slice(-4).join('');
}

/** Keeps the first six characters (province and city), stars the rest. */
export function maskAddress(address: string): string {
  const chars = Array.from(address.trim());
  return chars.slice(0, 6).join('') + (chars.length > 6 ? '****' : '');
}
