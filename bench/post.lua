-- wrk script of `npm run bench`'s write path: every request is POST /pings with a small note.
wrk.method = "POST"
wrk.body = '{"note":"bench"}'
wrk.headers["Content-Type"] = "application/json"
