-- Shared by the wrk scripts of bench/api_load.ts: prints the run's figures as
-- one JSON line, which the benchmark reads (wrk's own text is for people).
local result = {}

function result.print(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end

-- Each thread runs in its own Lua state; give each a different random sequence.
local next_thread = 0
function result.number_threads(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
end

-- One id per line.
function result.read_lines(path)
  local lines = {}
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  file:close()
  assert(#lines > 0, "no ids in " .. path)
  return lines
end

return result
