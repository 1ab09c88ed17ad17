/** An SVG line chart of throughput against read size, written by hand (log–log axes). */

export interface Series {
  label: string;
  color: string;
  /** [read size in bytes, MB/s] */
  points: [number, number][];
}

export interface Reference {
  label: string;
  color: string;
  value: number;
}

const WIDTH = 840;
const HEIGHT = 440;
const MARGIN = { left: 70, right: 300, top: 40, bottom: 55 };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function sizeLabel(bytes: number): string {
  return bytes >= 1048576 ? `${bytes / 1048576} MiB` : `${bytes / 1024} KiB`;
}

export function throughputChart(title: string, series: Series[], references: Reference[]): string {
  const sizes = series.flatMap((s) => s.points.map(([x]) => x));
  const values = [...series.flatMap((s) => s.points.map(([, y]) => y)), ...references.map((r) => r.value)].filter(
    (v) => v > 0 && Number.isFinite(v),
  );
  const xMin = Math.log2(Math.min(...sizes));
  const xMax = Math.log2(Math.max(...sizes));
  const yMin = Math.floor(Math.log10(Math.min(...values)));
  const yMax = Math.ceil(Math.log10(Math.max(...values)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (bytes: number) => MARGIN.left + (xMax === xMin ? plotW / 2 : ((Math.log2(bytes) - xMin) / (xMax - xMin)) * plotW);
  const y = (mbps: number) => MARGIN.top + plotH - ((Math.log10(mbps) - yMin) / (yMax - yMin || 1)) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`);
  // Grid and axes.
  for (let decade = yMin; decade <= yMax; decade++) {
    for (const factor of [1, 2, 5]) {
      const value = factor * 10 ** decade;
      if (Math.log10(value) > yMax) break;
      const py = y(value).toFixed(1);
      out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py}" y2="${py}" stroke="${factor === 1 ? "#ccc" : "#eee"}"/>`);
      out.push(`<text x="${MARGIN.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#555">${value >= 1000 ? `${value / 1000}k` : value}</text>`);
    }
  }
  for (const size of [...new Set(sizes)].sort((a, b) => a - b)) {
    const px = x(size).toFixed(1);
    out.push(`<line x1="${px}" x2="${px}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${px}" y="${MARGIN.top + plotH + 18}" text-anchor="middle" fill="#555">${sizeLabel(size)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">guest read size (blocking-read len)</text>`);
  out.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">MB/s (median, log scale)</text>`);
  // Reference lines, then series.
  let legendY = MARGIN.top + 10;
  const legend = (color: string, label: string, dashed: boolean) => {
    const lx = MARGIN.left + plotW + 16;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2.5"${dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    out.push(`<text x="${lx + 30}" y="${legendY}" dominant-baseline="middle">${escape(label)}</text>`);
    legendY += 22;
  };
  for (const ref of references) {
    const py = y(ref.value).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py}" y2="${py}" stroke="${ref.color}" stroke-width="2" stroke-dasharray="6 4"/>`);
    legend(ref.color, `${ref.label} (${Math.round(ref.value)})`, true);
  }
  for (const s of series) {
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5" points="${points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(" ")}"/>`);
    for (const [px, py] of points) {
      out.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3.5" fill="${s.color}"><title>${escape(`${s.label}, ${sizeLabel(px)}: ${py.toFixed(0)} MB/s`)}</title></circle>`);
    }
    legend(s.color, s.label, false);
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
