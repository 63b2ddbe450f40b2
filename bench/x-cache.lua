-- wrk script of `npm run bench`'s GET /ping loads: tallies the answers by their X-Cache header,
-- so that what the bench counts as cache hits is checked to be hits (wrk itself counts only
-- status codes). Prints one line at the end, read by bench/wrk.ts:
--   X-Cache: HIT=<n> MISS=<n> (none)=<n>
-- Defining `response` makes wrk parse every answer's headers: that costs the load generator CPU,
-- which bench/wrk.ts measures beside each run.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  tally = {}
end

-- Node keeps the case a header was set with (the service sends X-Cache, Fastify x-cache).
function response(status, headers, body)
  local value = headers["X-Cache"] or headers["x-cache"] or "(none)"
  tally[value] = (tally[value] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for value, count in pairs(thread:get("tally")) do
      total[value] = (total[value] or 0) + count
    end
  end
  local parts = {}
  for value, count in pairs(total) do
    table.insert(parts, value .. "=" .. count)
  end
  table.sort(parts)
  io.write("X-Cache: " .. table.concat(parts, " ") .. "\n")
end
