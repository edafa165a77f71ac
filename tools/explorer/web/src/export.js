// Export of the current view: the module picture as SVG (its own markup) or PNG (rendered through
// an <img> onto a canvas); plots and gate views (canvases) as PNG, or as SVG wrapping that PNG.
function download(href, file) {
  const a = document.createElement('a');
  a.href = href;
  a.download = file;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function svgMarkup(svg) {
  const clone = svg.cloneNode(true);
  const w = Number(svg.dataset.width) + 40, h = Number(svg.dataset.height) + 40;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', w);
  clone.setAttribute('height', h);
  clone.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const g = clone.querySelector('g');
  if (g) g.setAttribute('transform', 'translate(20,20)');
  return { text: new XMLSerializer().serializeToString(clone), w, h };
}

function canvases(host) { return [...host.querySelectorAll('canvas')]; }

// One PNG of every canvas in the view, stacked.
function canvasPng(host) {
  const list = canvases(host);
  if (!list.length) return null;
  const w = Math.max(...list.map((c) => c.width)), h = list.reduce((s, c) => s + c.height, 0);
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  let y = 0;
  for (const c of list) { ctx.drawImage(c, 0, y); y += c.height; }
  return { url: out.toDataURL('image/png'), w, h };
}

export function exportSvg(host, name) {
  const svg = host.querySelector('svg.graph');
  if (svg) {
    const { text } = svgMarkup(svg);
    download(URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' })), name + '.svg');
    return;
  }
  const png = canvasPng(host);
  if (!png) return;
  const text = `<svg xmlns="http://www.w3.org/2000/svg" width="${png.w}" height="${png.h}"><image href="${png.url}" width="${png.w}" height="${png.h}"/></svg>`;
  download(URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' })), name + '.svg');
}

export function exportPng(host, name) {
  const svg = host.querySelector('svg.graph');
  if (!svg) {
    const png = canvasPng(host);
    if (png) download(png.url, name + '.png');
    return;
  }
  const { text, w, h } = svgMarkup(svg);
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(img, 0, 0);
    download(c.toDataURL('image/png'), name + '.png');
  };
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
}
