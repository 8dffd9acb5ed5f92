import { Hono } from 'hono';

const app = new Hono();
const links = new Map<string, string>();

app.get('/api/links/:slug', (c) => {
  const target = links.get(c.req.param('slug'));
  if (!target) {
    return c.json({ error: { code: 'SLUG_UNKNOWN', message: 'No such link' } }, 404);
  }
  return c.redirect(target);
});

app.post('/api/links', async (c) => {
  const { url } = await c.req.json();
  if (!URL.canParse(url)) {
    return c.json({ error: { code: 'INVALID_URL', message: 'Not a URL' } }, 400);
  }
  const slug = Math.random().toString(36).slice(2, 8);
  links.set(slug, url);
  return c.json({ slug }, 201);
});

app.onError((err, c) => c.json({ error: { code: 'INTERNAL', message: 'Unexpected error' } }, 500));

export default app;
