-- wrk script of bench/api_load.ts: POST /api/v1/events with batches of new,
-- valid usage events for customers drawn from a file, in the product's mix of
-- event types (about that of the demo population). Every event id is new:
-- <run>-<thread>-<request>-<n>. Times fall in the hour before the run started.
-- Arguments after `--`: ids-file bearer-token batch-size run-id started-unix-seconds
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local result = require("result")

local customers
local batch
local run
local sent = 0
local times = {}

-- Type and properties (JSON after the type), repeated by weight out of 200.
local mix = {
  { 123, '"feature_used","properties":{"feature":"contracts"}' },
  { 56, '"login"' },
  { 4, '"form_sent","properties":{"formId":"questionnaire"}' },
  { 4, '"client_added"' },
  { 3, '"payment_received","properties":{"amount":450,"currency":"GBP"}' },
  { 3, '"support_ticket_opened","properties":{"severity":"normal"}' },
  { 3, '"support_ticket_resolved"' },
  { 2, '"nps_submitted","properties":{"score":9}' },
  { 1, '"profile_completed"' },
  { 1, '"payment_failed","properties":{"reason":"card declined"}' },
}
local kinds = {}
for _, entry in ipairs(mix) do
  for _ = 1, entry[1] do kinds[#kinds + 1] = entry[2] end
end

setup = result.number_threads

-- Building 1,000 events per request in Lua costs wrk several ms of CPU (CPU
-- the server shares), so each thread builds TEMPLATES bodies once, as pieces,
-- and a request only writes its number into the id slots and joins them.
local TEMPLATES = 64
local templates = {}

function init(args)
  customers = result.read_lines(args[1])
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  batch = tonumber(args[3])
  run = args[4]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() * 1000 + (thread_no or 0))
  local started = tonumber(args[5]) or os.time()
  for m = 1, 60 do times[m] = os.date("!%Y-%m-%dT%H:%M:%SZ", started - m * 60) end
  local head = string.format('{"id":"%s-%d-', run, thread_no or 0)
  for t = 1, TEMPLATES do
    local parts = { '{"events":[' }
    for n = 1, batch do
      parts[#parts + 1] = head
      parts[#parts + 1] = "" -- the request number goes here
      parts[#parts + 1] = "-" .. n .. '","customerId":"' .. customers[math.random(#customers)] ..
        '","occurredAt":"' .. times[math.random(60)] .. '","type":' ..
        kinds[math.random(#kinds)] .. (n < batch and "}," or "}]}")
    end
    templates[t] = parts
  end
end

function request()
  sent = sent + 1
  local parts = templates[sent % TEMPLATES + 1]
  local number = tostring(sent)
  for i = 3, #parts, 3 do parts[i] = number end
  return wrk.format(nil, nil, nil, table.concat(parts))
end

function done(summary, latency, requests)
  result.print(summary, latency)
end
