/**
 * The forecast as a PDF report (pdfkit, vector drawing only): title, tenant and date, a chart of
 * the monthly history and the forecast with its interval band, the forecast table, the service
 * breakdown and the method with its backtest accuracy. Rendering is CPU work done in memory,
 * never inside a transaction. The built-in Helvetica covers Latin text (WinAnsi).
 */
import PDFDocument from 'pdfkit';
import type { ForecastResponse } from './service.ts';

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const CHART = { height: 220, axisWidth: 64, labelHeight: 28 };
/** Most history months on the chart: two years keep the forecast readable. */
const CHART_HISTORY_MONTHS = 24;
const COLORS = { actual: '#1f3a5f', forecast: '#d9822b', band: '#f5d3ae', grid: '#dddddd', text: '#222222' };
const ROW_HEIGHT = 15;

const amount = (value: number) => value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = (value: number | null) => (value === null ? '–' : `${value > 0 ? '+' : ''}${value.toFixed(2)} %`);

/** Rounds a maximum up to a 1/2/5 × 10^k step count of 5 for the y axis. */
function niceStep(max: number): number {
  const raw = Math.max(max, 1) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) as number;
  return step;
}

function drawChart(doc: PDFKit.PDFDocument, report: ForecastResponse, top: number): number {
  const history = report.history.filter((h) => !h.partial).slice(-CHART_HISTORY_MONTHS);
  const months = [...history.map((h) => h.month), ...report.forecast.map((f) => f.month)];
  const maxValue = Math.max(...history.map((h) => h.actual), ...report.forecast.map((f) => f.upper_bound), 1);
  const step = niceStep(maxValue);
  const yMax = Math.ceil(maxValue / step) * step;
  const left = PAGE.margin + CHART.axisWidth;
  const width = CONTENT_WIDTH - CHART.axisWidth;
  const bottom = top + CHART.height;
  const x = (i: number) => left + (months.length > 1 ? (i / (months.length - 1)) * width : width / 2);
  const y = (value: number) => bottom - (value / yMax) * CHART.height;

  doc.lineWidth(0.5).fontSize(7).fillColor(COLORS.text);
  for (let tick = 0; tick <= yMax + step / 2; tick += step) {
    doc
      .strokeColor(COLORS.grid)
      .moveTo(left, y(tick))
      .lineTo(left + width, y(tick))
      .stroke();
    doc.text(amount(tick), PAGE.margin, y(tick) - 3, { width: CHART.axisWidth - 6, align: 'right' });
  }
  const labelEvery = Math.max(1, Math.ceil(months.length / 12));
  months.forEach((month, i) => {
    if (i % labelEvery === 0) doc.text(month, x(i) - 20, bottom + 4, { width: 40, align: 'center' });
  });
  doc
    .strokeColor(COLORS.text)
    .moveTo(left, top)
    .lineTo(left, bottom)
    .lineTo(left + width, bottom)
    .stroke();

  const first = history.length;
  if (report.forecast.length > 0) {
    const upper = report.forecast.map((f, i) => [x(first + i), y(f.upper_bound)] as const);
    const lower = report.forecast.map((f, i) => [x(first + i), y(f.lower_bound)] as const).reverse();
    const [start, ...rest] = [...upper, ...lower];
    if (start) {
      doc.moveTo(start[0], start[1]);
      for (const [px, py] of rest) doc.lineTo(px, py);
      doc.closePath().fillColor(COLORS.band).fill();
    }
  }
  const line = (points: Array<readonly [number, number]>, color: string, dash: boolean) => {
    const [start, ...rest] = points;
    if (!start) return;
    doc.save().lineWidth(1.5).strokeColor(color);
    if (dash) doc.dash(4, { space: 3 });
    doc.moveTo(start[0], start[1]);
    for (const [px, py] of rest) doc.lineTo(px, py);
    doc.stroke().restore();
  };
  line(
    history.map((h, i) => [x(i), y(h.actual)] as const),
    COLORS.actual,
    false,
  );
  const lastActual = history.at(-1);
  line(
    [
      ...(lastActual ? [[x(first - 1), y(lastActual.actual)] as const] : []),
      ...report.forecast.map((f, i) => [x(first + i), y(f.forecast_value)] as const),
    ],
    COLORS.forecast,
    true,
  );

  const legendY = bottom + CHART.labelHeight;
  const legend: Array<[string, string]> = [
    [COLORS.actual, 'Actual (full months)'],
    [COLORS.forecast, 'Forecast'],
    [COLORS.band, `${report.interval_level} % prediction interval`],
  ];
  let legendX = left;
  doc.fontSize(8);
  for (const [color, label] of legend) {
    doc.rect(legendX, legendY, 12, 8).fillColor(color).fill();
    doc.fillColor(COLORS.text).text(label, legendX + 16, legendY, { lineBreak: false });
    legendX += 16 + doc.widthOfString(label) + 18;
  }
  return legendY + 20;
}

/** Draws a table with a header row; moves to a new page when the rows run out of room. */
function drawTable(
  doc: PDFKit.PDFDocument,
  top: number,
  columns: Array<{ title: string; width: number; align: 'left' | 'right' }>,
  rows: string[][],
): number {
  let y = top;
  const row = (cells: string[], bold: boolean) => {
    if (y + ROW_HEIGHT > PAGE.height - PAGE.margin) {
      doc.addPage();
      y = PAGE.margin;
    }
    let x = PAGE.margin;
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .fillColor(COLORS.text);
    cells.forEach((cell, i) => {
      const column = columns[i] as { width: number; align: 'left' | 'right' };
      doc.text(cell, x + 2, y + 3, { width: column.width - 4, align: column.align, lineBreak: false });
      x += column.width;
    });
    y += ROW_HEIGHT;
    doc
      .strokeColor(COLORS.grid)
      .lineWidth(0.5)
      .moveTo(PAGE.margin, y)
      .lineTo(PAGE.margin + CONTENT_WIDTH, y)
      .stroke();
  };
  row(
    columns.map((c) => c.title),
    true,
  );
  for (const cells of rows) row(cells, false);
  doc.font('Helvetica');
  return y + 16;
}

function heading(doc: PDFKit.PDFDocument, text: string, y: number): number {
  let top = y;
  if (top + 60 > PAGE.height - PAGE.margin) {
    doc.addPage();
    top = PAGE.margin;
  }
  doc.font('Helvetica-Bold').fontSize(12).fillColor(COLORS.text).text(text, PAGE.margin, top);
  doc.font('Helvetica');
  return top + 18;
}

/** Renders the report; `tenantName` and `date` (YYYY-MM-DD) head its first page. */
export function renderForecastPdf(
  report: ForecastResponse,
  meta: { tenantName: string; date: string },
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    info: { Title: `Cost forecast — ${meta.tenantName}`, Author: 'SecureBase' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(20).fillColor(COLORS.text).text('Cost forecast', PAGE.margin, PAGE.margin);
  doc
    .font('Helvetica')
    .fontSize(11)
    .text(meta.tenantName, PAGE.margin, PAGE.margin + 26);
  doc
    .fontSize(9)
    .fillColor('#555555')
    .text(
      `Generated ${meta.date} · data through ${report.as_of} · amounts in ${report.currency} · ` +
        `${report.interval_level} % prediction intervals`,
      PAGE.margin,
      PAGE.margin + 42,
    );

  let y = drawChart(doc, report, PAGE.margin + 70);

  y = heading(doc, 'Forecast', y);
  y = drawTable(
    doc,
    y,
    [
      { title: 'Month', width: 80, align: 'left' },
      { title: 'Forecast', width: 105, align: 'right' },
      { title: 'Lower bound', width: 105, align: 'right' },
      { title: 'Upper bound', width: 105, align: 'right' },
      { title: 'MoM change', width: 100, align: 'right' },
    ],
    report.forecast.map((p) => [
      p.month,
      amount(p.forecast_value),
      amount(p.lower_bound),
      amount(p.upper_bound),
      percent(p.month_over_month_change),
    ]),
  );

  y = heading(doc, `Service breakdown (${report.forecast.length} months)`, y);
  y = drawTable(
    doc,
    y,
    [
      { title: 'Service', width: 285, align: 'left' },
      { title: 'Projected cost', width: 120, align: 'right' },
      { title: 'Share', width: 90, align: 'right' },
    ],
    report.service_breakdown.map((s) => [s.service, amount(s.projected_cost), `${s.percentage.toFixed(2)} %`]),
  );

  y = heading(doc, 'Method', y);
  const bt = report.backtest;
  const accuracy = bt
    ? `Rolling-origin backtest (${bt.origins} origin${bt.origins === 1 ? '' : 's'}, ${bt.horizon} months ahead): ` +
      `MAPE ${bt.mape.toFixed(2)} %, sMAPE ${bt.smape.toFixed(2)} %, MASE ${bt.mase.toFixed(3)}, ` +
      `coverage of the ${report.interval_level} % interval ${(bt.coverage * 100).toFixed(1)} %.`
    : 'The history is too short for a backtest; accuracy is not measured yet.';
  const nowcast = report.nowcast
    ? `The current month is nowcast: ${amount(report.nowcast.actual_to_date)} spent in ` +
      `${report.nowcast.days_elapsed} of ${report.nowcast.days_in_month} days plus ${amount(report.nowcast.remaining)} expected.`
    : 'The current month has no data yet; its value is the model’s forecast.';
  doc
    .fontSize(9)
    .fillColor(COLORS.text)
    .text(
      `Model: ${report.model}, fitted on ${report.historical_months} full months. ${accuracy} ${nowcast} ` +
        `Trend: ${report.trend}.`,
      PAGE.margin,
      y,
      { width: CONTENT_WIDTH },
    );
  doc.end();
  return done;
}
