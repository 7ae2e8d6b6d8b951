/** "512 bytes", "1.4 MiB", "8.0 GiB", "120 MiB". Pure, no imports: pages, server and tools share it. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(bytes)} bytes` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
