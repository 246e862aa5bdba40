-- wrk script: token auth, rotating paths, JSON summary with p50/p95/p99.
-- BENCH_TOKEN: the API token; BENCH_PATHS: comma-separated request paths.
local token = os.getenv("BENCH_TOKEN") or ""
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^,]+") do
  table.insert(paths, p)
end
local counter = 0

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, { ["Authorization"] = "Token " .. token })
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"rps": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"requests": %d, "socket_errors": %d, "non_2xx": %d}\n',
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status))
end
