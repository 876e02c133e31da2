// Shows one of this site's pages (`src`, a path) in a frame `width` CSS pixels wide, so its
// media and container queries see a phone's width. Test tool, served only with --lab.
const params = new URLSearchParams(location.search);
const width = Number(params.get('width'));
const src = params.get('src') ?? '';
if (Number.isInteger(width) && width > 0 && src.startsWith('/') && !src.startsWith('//')) {
  document.body.style.margin = '0';
  const frame = document.createElement('iframe');
  frame.title = 'page at ' + width + ' px';
  frame.style.border = '0';
  frame.style.display = 'block';
  frame.style.width = width + 'px';
  frame.style.height = '900px';
  frame.src = src;
  document.body.append(frame);
}
