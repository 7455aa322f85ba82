-- wrk script of bench/api_load.ts: GET /api/v1/customers/{id}/health for ids
-- drawn at random from a file (one per line), so reads spread over the whole
-- population. Arguments after `--`: ids-file [bearer-token] [path-prefix]
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local result = require("result")

local ids
local prefix

setup = result.number_threads

function init(args)
  ids = result.read_lines(args[1])
  if args[2] and args[2] ~= "" then wrk.headers["Authorization"] = "Bearer " .. args[2] end
  prefix = args[3] or "/api/v1/customers/"
  math.randomseed(os.time() * 1000 + (thread_no or 0))
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)] .. "/health")
end

function done(summary, latency, requests)
  result.print(summary, latency)
end
