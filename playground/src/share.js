// Share links: the script, deflated and in base64url, in the URL's
// fragment (`#code=...`), so a link holds the whole script and nothing is
// sent to a server. Compression is the browser's own (CompressionStream).

const PREFIX = '#code=';

function toBase64Url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function through(bytes, transform) {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The URL of this page that opens `source`. */
export async function shareUrl(source) {
  const packed = await through(new TextEncoder().encode(source), new CompressionStream('deflate-raw'));
  const url = new URL(window.location.href);
  url.hash = PREFIX.slice(1) + toBase64Url(packed);
  return url.href;
}

/**
 * The script in a `#code=...` fragment, null if there is none, or an Error
 * if the fragment is damaged (a link cut short, say).
 */
export async function sharedSource(hash) {
  if (!hash.startsWith(PREFIX)) return null;
  try {
    const packed = fromBase64Url(hash.slice(PREFIX.length));
    const bytes = await through(packed, new DecompressionStream('deflate-raw'));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    return new Error(`this share link is damaged (${e.message})`);
  }
}
