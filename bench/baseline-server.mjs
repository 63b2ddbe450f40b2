// The baseline of `npm run bench`: a bare Koa JSON endpoint, the upper limit for our HIT path.
// Plain JavaScript run by node itself, like the service's compiled output.
import Koa from 'koa';

const app = new Koa();
const ping = { id: 1, createdAt: new Date().toISOString(), note: null };
app.use((ctx) => {
  ctx.body = { message: 'Ping received and processed.', source: 'cache', ping };
});
app.listen(Number(process.env.PORT ?? 5100), '127.0.0.1', () => console.log('baseline listening'));
process.on('SIGTERM', () => process.exit(0));
