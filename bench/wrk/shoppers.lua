-- wrk script: every request as a different shopper, from a file of tokens (one a line).
-- Thread i sends tokens i, i+n, i+2n ... (n threads). Settings from the environment:
--   BENCH_TOKENS   the token file          BENCH_THREADS  wrk's -t
--   BENCH_METHOD   GET or POST             BENCH_PATH     the path
-- The tokens wrap around when a run outlasts them (then a check-in answers 409); the
-- requests sent with a token already used are counted as "repeats".
-- done() prints one JSON line: statuses counted, latency percentiles (µs), requests,
-- repeats.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local token_file = os.getenv("BENCH_TOKENS")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  local n = 0
  for line in io.lines(token_file) do
    n = n + 1
    if (n - id) % nthreads == 0 then
      tokens[#tokens + 1] = line
    end
  end
  cursor = 1
  repeats = 0
  wrapped = false
  statuses = {}
end

function request()
  if cursor > #tokens then
    cursor = 1
    wrapped = true
  end
  if wrapped then
    repeats = repeats + 1
  end
  local token = tokens[cursor]
  cursor = cursor + 1
  return wrk.format(method, path, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  local repeated = 0
  for _, thread in ipairs(threads) do
    repeated = repeated + thread:get("repeats")
    local seen = thread:get("statuses")
    for status, count in pairs(seen) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%s": %d', status, count)
  end
  io.write(string.format(
    '\nBENCH_JSON {"statuses": {%s}, "requests": %d, "repeats": %d, "duration_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    table.concat(parts, ", "), summary.requests, repeated, summary.duration,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
