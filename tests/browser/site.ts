import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The pages browser tests drive, served by the test on 127.0.0.1: a login form and its dashboard,
 * a page with every kind of control, a slow page, a download and a page that reaches for a
 * private address.
 */
export interface TestSite {
  base: string;
  /** Requests per path, to see retries arrive. */
  hits: Map<string, number>;
  /** The body of the last upload. */
  uploads: { name: string; content: string }[];
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery staple';

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const LOGIN = page(
  'Sign in',
  `<form method="post" action="/login">
     <label>User <input id="username" name="username"></label>
     <label>Password <input id="password" name="password" type="password"></label>
     <button id="submit" type="submit">Sign in</button>
   </form>`,
);

const dashboard = (user: string) =>
  page(
    'Dashboard',
    `<div class="dashboard"><h1>Welcome, ${user}</h1><p class="open-orders">42</p><a id="controls" href="/controls">controls</a></div>`,
  );

const CONTROLS = page(
  'Controls',
  `<input id="name" value="old">
   <input id="typed" value="ab">
   <select id="fruit"><option value="a">Apple</option><option value="b">Banana</option><option value="c">Cherry</option></select>
   <select id="many" multiple><option value="x">X</option><option value="y">Y</option><option value="z">Z</option></select>
   <input id="agree" type="checkbox">
   <input id="news" type="checkbox" checked>
   <div id="hover-target" onmouseover="document.getElementById('hovered').textContent='yes'">hover me</div>
   <p id="hovered">no</p>
   <input id="keys" onkeydown="if (event.key==='Enter') document.getElementById('pressed').textContent='Enter'">
   <p id="pressed"></p>
   <button aria-label="Save settings" onclick="document.getElementById('saved').textContent='saved'">💾</button>
   <p id="saved"></p>
   <ul><li class="item" data-sku="s1">One</li><li class="item" data-sku="s2">Two</li><li class="item" data-sku="s3">Three</li></ul>
   <table id="prices"><thead><tr><th>Product</th><th>Price</th></tr></thead>
     <tbody><tr><td>Pen</td><td>1.50</td></tr><tr><td>Book</td><td>12.00</td></tr></tbody></table>
   <table id="grid"><tr><td>a1</td><td>b1</td></tr><tr><td>a2</td><td>b2</td></tr></table>
   <table id="headed"><tr><th>Name</th><th></th></tr><tr><td>Ada</td><td>x</td></tr></table>
   <form id="upload" method="post" action="/upload" enctype="multipart/form-data">
     <input id="file" type="file" name="file"><button id="send" type="submit">Send</button></form>
   <a id="report" href="/report.csv">report</a>
   <a id="huge" href="/huge.bin">huge</a>
   <a id="later" href="/later">later</a>
   <div style="height: 3000px"></div>
   <p id="bottom">bottom</p>`,
);

export async function startTestSite(): Promise<TestSite> {
  const hits = new Map<string, number>();
  const uploads: { name: string; content: string }[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const count = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, count);
    const html = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      response.end(body);
    };
    if (url.pathname === '/login' && request.method === 'GET') return html(200, LOGIN);
    if (url.pathname === '/login' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('password') !== PASSWORD)
          return html(401, page('Denied', '<p class="error">wrong password</p>'));
        response.writeHead(303, {
          location: `/dashboard?user=${encodeURIComponent(form.get('username') ?? '')}`,
        });
        response.end();
      });
      return;
    }
    if (url.pathname === '/dashboard') return html(200, dashboard(url.searchParams.get('user') ?? ''));
    if (url.pathname === '/controls') return html(200, CONTROLS);
    if (url.pathname === '/whoami') {
      const cookie = (request.headers.cookie ?? 'none').replace(/[<>&]/g, '');
      return html(200, page('Who am I', `<p id="cookie">${cookie}</p>`));
    }
    if (url.pathname === '/later') return html(200, page('Later', '<p id="later-page">later</p>'));
    if (url.pathname === '/report.csv') {
      response.writeHead(200, {
        'content-type': 'text/csv',
        'content-disposition': 'attachment; filename="report.csv"',
      });
      return response.end('product,price\nPen,1.50\n');
    }
    if (url.pathname === '/huge.bin') {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-disposition': 'attachment; filename="huge.bin"',
      });
      // 4 MiB in chunks: more than the tests' cap.
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.on('error', () => undefined);
      return pump();
    }
    if (url.pathname === '/upload' && request.method === 'POST') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const name = /filename="([^"]*)"/.exec(text)?.[1] ?? '';
        const content = /\r\n\r\n([\s\S]*?)\r\n--/.exec(text)?.[1] ?? '';
        uploads.push({ name, content });
        html(200, page('Uploaded', `<p id="uploaded">${name}</p>`));
      });
      return;
    }
    if (url.pathname === '/slow') {
      // The first request never answers (the action times out); the next ones answer at once.
      if (count === 1) return;
      return html(200, page('Slow', '<p id="ready">ready</p>'));
    }
    if (url.pathname === '/reaches-private') {
      return html(
        200,
        page(
          'Reaches',
          `<p id="result">pending</p><script>
            fetch('http://169.254.169.254/latest/meta-data/').then(() => 'reached', () => 'refused')
              .then((r) => { document.getElementById('result').textContent = r; });
          </script>`,
        ),
      );
    }
    html(404, page('Not found', '<p>not found</p>'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits,
    uploads,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
